// Package filecreds reads static keys from a profile section of the shared
// credentials file (method "shared-credentials-file") or the shared config
// file (method "config-file"), like botocore's SharedCredentialProvider and
// ConfigProvider.
package filecreds

import (
	"context"
	"fmt"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
)

// Methods: botocore's names for the two sources.
const (
	MethodCredentialsFile = "shared-credentials-file"
	MethodConfigFile      = "config-file"
)

// Provider reads one profile's keys from one file.
type Provider struct {
	// Name is MethodCredentialsFile or MethodConfigFile.
	Name string
	// Section returns the profile's section of the file, or an error
	// wrapping creds.ErrNotFound when the file or section is absent.
	Section func() (*awsconfig.Section, error)
}

// Method implements creds.Provider.
func (p Provider) Method() string { return p.Name }

// Retrieve implements creds.Provider. The source applies when the section has
// aws_access_key_id (even empty); then aws_secret_access_key must be present.
func (p Provider) Retrieve(context.Context) (creds.Credentials, error) {
	s, err := p.Section()
	if err != nil {
		return creds.Credentials{}, err
	}
	return FromSection(p.Name, s)
}

// FromSection extracts static keys from a section like botocore's
// _extract_creds_from_mapping. It is shared with the boto2 provider.
func FromSection(method string, s *awsconfig.Section) (creds.Credentials, error) {
	ak, ok := s.Lookup("aws_access_key_id")
	if !ok {
		return creds.Credentials{}, creds.Skip("[%s] at %s has no aws_access_key_id", s.Header, s.Pos())
	}
	sk, ok := s.Lookup("aws_secret_access_key")
	if !ok {
		return creds.Credentials{}, creds.Partial(method, "aws_secret_access_key", fmt.Sprintf("[%s] at %s", s.Header, ak.Pos()))
	}
	// A nested block is a dict in botocore, which fails only when it
	// signs: a typed error, which a role using these keys as its source
	// raises where botocore's signing would fail.
	for _, name := range []string{"aws_access_key_id", "aws_secret_access_key", "aws_security_token", "aws_session_token", "aws_account_id"} {
		if v, ok := s.Lookup(name); ok && v.Nested != nil {
			return creds.Credentials{Method: method}, &creds.UnsignableError{Err: creds.Errorf(creds.KindInvalidConfig, "%s: %s is a nested block, not a value", v.Pos(), name)}
		}
	}
	c := creds.Credentials{AccessKeyID: ak.Raw, SecretAccessKey: sk.Raw, Method: method,
		Source: fmt.Sprintf("%s (aws_access_key_id), %s (aws_secret_access_key)", ak.Pos(), sk.Pos())}
	// LEGACY: aws_security_token is read before aws_session_token; the first
	// one present wins even when empty (botocore's TOKENS order).
	for _, name := range []string{"aws_security_token", "aws_session_token"} {
		if v, ok := s.Lookup(name); ok {
			c.SessionToken = v.Raw
			c.Source += fmt.Sprintf(", %s (%s)", v.Pos(), name)
			break
		}
	}
	if v, ok := s.Lookup("aws_account_id"); ok {
		c.AccountID = v.Raw
	}
	return c, nil
}
