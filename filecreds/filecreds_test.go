package filecreds

import (
	"strings"
	"testing"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
)

func section(t *testing.T, body string) *awsconfig.Section {
	t.Helper()
	f, err := awsconfig.Parse("credentials", []byte("[p]\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.Section("p")
	return s
}

func TestFromSection(t *testing.T) {
	c, err := FromSection(MethodCredentialsFile, section(t, "aws_access_key_id = A\naws_secret_access_key = S\naws_security_token =\naws_session_token = T\naws_account_id = 1\n"))
	if err != nil || c.SessionToken != "" || c.AccountID != "1" || !strings.Contains(c.Source, "credentials:2 (aws_access_key_id)") {
		t.Fatalf("got %+v, %v (aws_security_token wins even when empty)", c, err)
	}
	_, err = FromSection(MethodConfigFile, section(t, "aws_access_key_id = A\n"))
	if creds.KindOf(err) != creds.KindPartialCredentials || !strings.Contains(err.Error(), "Partial credentials found in config-file, missing: aws_secret_access_key") {
		t.Fatalf("err = %v", err)
	}
	if _, err = FromSection(MethodConfigFile, section(t, "region = x\n")); err == nil || creds.KindOf(err) != "" {
		t.Fatalf("no key should skip, got %v", err)
	}
	_, err = FromSection(MethodConfigFile, section(t, "aws_access_key_id =\n  nested = block\naws_secret_access_key = s\n"))
	if creds.KindOf(err) != creds.KindInvalidConfig {
		t.Fatalf("nested key: err = %v", err)
	}
}
