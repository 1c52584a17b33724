package awsconfig

// ValidRegion is botocore's validate_region_name: a valid host label.
func ValidRegion(region string) bool {
	if region == "" || len(region) > 63 || region[0] == '-' || region[len(region)-1] == '-' {
		return region == ""
	}
	digits := true
	for _, c := range region {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
			digits = false
		default:
			return false
		}
	}
	return !digits
}
