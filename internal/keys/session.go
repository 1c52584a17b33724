package keys

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/credchain/credchain/creds"
)

// SessionAPI is STS's GetSessionToken, signed with the long-term key.
type SessionAPI interface {
	GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, opts ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
}

// MFA is a profile's MFA session configuration.
type MFA struct {
	// Serial is the profile's mfa_serial.
	Serial string
	// Duration is the session's length (DefaultSessionDuration when zero).
	Duration time.Duration
	// Code asks for the MFA code (once per new session).
	Code func() (string, error)
	// STS returns the client signing with the key.
	STS func(k Key) SessionAPI
	// Lock serialises the making of the session across processes; it
	// returns the unlock function.
	Lock func() (func(), error)
}

// Session lengths GetSessionToken accepts for an IAM user, and the
// default (aws-vault's and the AWS CLI's request for it: 12 hours).
const (
	MinSessionDuration     = 15 * time.Minute
	MaxSessionDuration     = 36 * time.Hour
	DefaultSessionDuration = 12 * time.Hour
)

// RefreshWindow is how close to expiry a stored session is replaced rather
// than served: botocore refreshes credential_process credentials 15 minutes
// before they expire, so a session served with less left would be asked
// for again on every call.
const RefreshWindow = 15 * time.Minute

// ParseSessionDuration reads mfa_session_duration: whole seconds, or a Go
// duration ("12h"), capped to what STS allows.
func ParseSessionDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultSessionDuration, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.ParseInt(v, 10, 64)
		if nerr != nil || n <= 0 {
			return 0, fmt.Errorf("mfa_session_duration = %q: give seconds (43200) or a duration (12h)", v)
		}
		d = time.Duration(n) * time.Second
	}
	return min(max(d, MinSessionDuration), MaxSessionDuration), nil
}

// Credentials returns what credential_process serves for the profile: the
// stored key; with mfa, the MFA session made from it, made (one
// GetSessionToken, one MFA code) only when the stored one is missing,
// belongs to another key or device, or has less than RefreshWindow left.
func (v *Vault) Credentials(ctx context.Context, profile string, mfa *MFA) (creds.Credentials, error) {
	k, err := v.Key(profile)
	if err != nil {
		return creds.Credentials{}, err
	}
	if mfa == nil {
		return k.Credentials(), nil
	}
	if s, ok := v.usableSession(profile, k, mfa.Serial); ok {
		return s.Credentials(), nil
	}
	unlock, err := mfa.Lock()
	if err != nil {
		return creds.Credentials{}, fmt.Errorf("profile %q: MFA session: %w", profile, err)
	}
	defer unlock()
	// Another process may have made it while this one waited.
	if s, ok := v.usableSession(profile, k, mfa.Serial); ok {
		return s.Credentials(), nil
	}
	code, err := mfa.Code()
	if err != nil {
		return creds.Credentials{}, fmt.Errorf("profile %q: MFA session: %w", profile, err)
	}
	d := mfa.Duration
	if d == 0 {
		d = DefaultSessionDuration
	}
	out, err := mfa.STS(k).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(int32(d / time.Second)), SerialNumber: aws.String(mfa.Serial), TokenCode: aws.String(code)})
	if err != nil {
		return creds.Credentials{}, fmt.Errorf("profile %q: MFA session: %w", profile, stsError(err, mfa.Serial))
	}
	c := out.Credentials
	if c == nil || c.Expiration == nil || aws.ToString(c.AccessKeyId) == "" {
		return creds.Credentials{}, fmt.Errorf("profile %q: MFA session: GetSessionToken returned no credentials", profile)
	}
	s := Session{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken), Expiration: c.Expiration.UTC(), MFASerial: mfa.Serial, KeyID: k.AccessKeyID}
	// A session that cannot be stored still works: the next call makes
	// another.
	_ = v.put(sessionPrefix+profile, s)
	return s.Credentials(), nil
}

func (v *Vault) usableSession(profile string, k Key, serial string) (Session, bool) {
	s, ok, err := v.StoredSession(profile)
	if err != nil || !ok || s.KeyID != k.AccessKeyID || s.MFASerial != serial {
		return Session{}, false
	}
	return s, s.Expiration.Sub(v.now()) > RefreshWindow
}

// stsError says what an STS refusal means for the person.
func stsError(err error, serial string) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("GetSessionToken: %w", err)
	}
	switch ae.ErrorCode() {
	case "InvalidClientTokenId", "SignatureDoesNotMatch":
		return fmt.Errorf("GetSessionToken: %s: the stored key is not accepted: store a working one with credchain keys add", ae.ErrorCode())
	case "AccessDenied":
		return fmt.Errorf("GetSessionToken: AccessDenied: %s: check the MFA code and that mfa_serial %s is the user's device", ae.ErrorMessage(), serial)
	}
	return fmt.Errorf("GetSessionToken: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
}
