// Package legacycreds reads the two credential files of older AWS tools that
// botocore still honours: the EC2 API tools' key=value file named by
// AWS_CREDENTIAL_FILE (method "ec2-credentials-file") and boto2's config
// (method "boto-config": BOTO_CONFIG, else /etc/boto.cfg then ~/.boto).
package legacycreds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/filecreds"
	"github.com/credchain/credchain/internal/pystr"
)

// Methods: botocore's names for the two sources.
const (
	MethodEC2File    = "ec2-credentials-file"
	MethodBotoConfig = "boto-config"
)

// EC2File reads AWS_CREDENTIAL_FILE.
type EC2File struct {
	Env func(string) (string, bool)
}

// Method implements creds.Provider.
func (EC2File) Method() string { return MethodEC2File }

// Retrieve implements creds.Provider. Unlike every other file, a missing
// AWS_CREDENTIAL_FILE is an error (ConfigNotFound), as in botocore.
func (p EC2File) Retrieve(context.Context) (creds.Credentials, error) {
	name, ok := p.Env("AWS_CREDENTIAL_FILE")
	if !ok {
		return creds.Credentials{}, creds.Skip("AWS_CREDENTIAL_FILE is not set")
	}
	path := awsconfig.ExpandUser(name, awsconfig.LookupEnv(p.Env))
	data, err := os.ReadFile(path)
	if err != nil {
		return creds.Credentials{}, &creds.Error{Kind: creds.KindConfigNotFound,
			Msg: fmt.Sprintf("The specified config file (%s) could not be found. (AWS_CREDENTIAL_FILE)", path)}
	}
	if !utf8.Valid(data) {
		return creds.Credentials{}, creds.Errorf(creds.KindConfigParse, "Unable to parse config file: %s: not valid UTF-8 (AWS_CREDENTIAL_FILE)", path)
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	vals := map[string]string{}
	lines := map[string]int{}
	for i, line := range pystr.SplitLines(text) {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = pystr.Strip(k)
		vals[k], lines[k] = pystr.Strip(v), i+1
	}
	ak, ok := vals["AWSAccessKeyId"]
	if !ok {
		return creds.Credentials{}, creds.Skip("%s has no AWSAccessKeyId", path)
	}
	sk, ok := vals["AWSSecretKey"]
	if !ok {
		// botocore raises a raw KeyError here.
		return creds.Credentials{}, creds.Partial(MethodEC2File, "AWSSecretKey", fmt.Sprintf("%s:%d", path, lines["AWSAccessKeyId"]))
	}
	return creds.Credentials{AccessKeyID: ak, SecretAccessKey: sk, Method: MethodEC2File,
		Source: fmt.Sprintf("%s:%d (AWSAccessKeyId), %s:%d (AWSSecretKey)", path, lines["AWSAccessKeyId"], path, lines["AWSSecretKey"])}, nil
}

// SystemBotoConfig is boto2's system-wide config file.
const SystemBotoConfig = "/etc/boto.cfg"

// BotoConfig reads boto2's config files.
type BotoConfig struct {
	Env func(string) (string, bool)
	// System overrides SystemBotoConfig (for tests).
	System string
}

// Method implements creds.Provider.
func (BotoConfig) Method() string { return MethodBotoConfig }

// Retrieve implements creds.Provider: the first candidate file with
// [Credentials] aws_access_key_id wins; missing files are passed over; a
// malformed one is an error.
func (p BotoConfig) Retrieve(context.Context) (creds.Credentials, error) {
	candidates := []string{p.System, "~/.boto"}
	if candidates[0] == "" {
		candidates[0] = SystemBotoConfig
	}
	if v, ok := p.Env("BOTO_CONFIG"); ok {
		candidates = []string{v}
	}
	var tried []string
	for _, c := range candidates {
		path := awsconfig.ExpandPath(c, awsconfig.LookupEnv(p.Env))
		f, err := awsconfig.ReadFile(path)
		if errors.Is(err, awsconfig.ErrNotFound) {
			tried = append(tried, path+" (absent)")
			continue
		}
		if err != nil {
			return creds.Credentials{}, err
		}
		s, ok := f.Section("Credentials")
		if !ok || !s.Has("aws_access_key_id") {
			tried = append(tried, path+" (no [Credentials] aws_access_key_id)")
			continue
		}
		c, err := filecreds.FromSection(MethodBotoConfig, s)
		// LEGACY: botocore's BotoProvider reads the two keys only: no
		// session token, no account id.
		c.SessionToken, c.AccountID = "", ""
		return c, err
	}
	return creds.Credentials{}, creds.Skip("no boto2 credentials: %s", strings.Join(tried, ", "))
}
