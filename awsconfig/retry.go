package awsconfig

// Retry is botocore's retry configuration of a client, as read from
// AWS_RETRY_MODE or retry_mode and AWS_MAX_ATTEMPTS or max_attempts: the
// mode ("legacy", "standard", "adaptive"; "" is legacy) and the total
// number of attempts (0: the mode's default, 5 for legacy, 3 for standard
// and adaptive).
type Retry struct {
	Mode        string
	MaxAttempts int
}
