package envcreds

import (
	"context"
	"testing"

	"github.com/credchain/credchain/creds"
)

func TestRetrieve(t *testing.T) {
	for _, tt := range []struct {
		name      string
		env       map[string]string
		wantToken string
		wantKind  string
		skipped   bool
	}{
		{name: "security_token_before_session_token", env: map[string]string{AccessKeyID: "A", SecretKey: "S", SecurityToken: "OLD", SessionToken: "NEW"}, wantToken: "OLD"},
		{name: "empty_security_token_passes", env: map[string]string{AccessKeyID: "A", SecretKey: "S", SecurityToken: "", SessionToken: "NEW"}, wantToken: "NEW"},
		{name: "empty_access_key_is_absent", env: map[string]string{AccessKeyID: "", SecretKey: "S"}, skipped: true},
		{name: "missing_secret", env: map[string]string{AccessKeyID: "A"}, wantKind: creds.KindPartialCredentials},
		{name: "bad_expiration", env: map[string]string{AccessKeyID: "A", SecretKey: "S", Expiration: "soon"}, wantKind: creds.KindCredentialRetrieval},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Provider{Env: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }}
			c, err := p.Retrieve(context.Background())
			switch {
			case tt.skipped:
				if err == nil || creds.KindOf(err) != "" {
					t.Fatalf("want a skip, got %v", err)
				}
			case tt.wantKind != "":
				if creds.KindOf(err) != tt.wantKind {
					t.Fatalf("err = %v, want %s", err, tt.wantKind)
				}
			default:
				if err != nil || c.SessionToken != tt.wantToken {
					t.Fatalf("token %q err %v", c.SessionToken, err)
				}
			}
		})
	}
}
