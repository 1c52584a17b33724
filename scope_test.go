package credchain_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/ststest"
)

var testScope = credchain.Scope{
	Policy:            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
	PolicyARNs:        []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::111111111111:policy/Extra"},
	Tags:              []credchain.Tag{{Key: "team", Value: "blue"}, {Key: "env", Value: "dev"}, {Key: "agent", Value: ""}},
	TransitiveTagKeys: []string{"team"},
	SourceIdentity:    "alice@example.com",
}

// TestScopedAssumeRoleIsBoto3s: a scoped role's AssumeRole request equals,
// parameter for parameter, what boto3 sends for sts.assume_role with the
// same arguments, and its cache key is botocore's for those arguments.
func TestScopedAssumeRoleIsBoto3s(t *testing.T) {
	requireOracle(t)
	sts := ststest.New()
	defer sts.Close()
	env := homeWith(t, map[string]string{".aws/config": "[default]\nregion = us-east-1\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n"})
	env["AWS_ENDPOINT_URL_STS"] = sts.URL + "/credchain/"
	mem := &cache.Memory{}
	s := credchain.NewSession(credchain.WithEnv(env.lookup), credchain.WithCache(mem))
	role := credchain.Role{ARN: "arn:aws:iam::111111111111:role/Ops", SessionName: "sess", Duration: 900, Scope: testScope}
	p, err := s.AssumeRoles(role)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	script := `import boto3, json, sys, hashlib
from botocore.credentials import AssumeRoleCredentialFetcher
args = json.loads(sys.argv[2])
c = boto3.client("sts", region_name="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="AKIABASE", aws_secret_access_key="s")
c.assume_role(**args)
extra = {k: v for k, v in args.items() if k not in ("RoleArn",)}
f = AssumeRoleCredentialFetcher(None, None, args["RoleArn"], extra_args=extra)
print(f._create_cache_key())`
	args, _ := json.Marshal(map[string]any{"RoleArn": role.ARN, "RoleSessionName": "sess", "DurationSeconds": 900,
		"Policy": testScope.Policy, "PolicyArns": []map[string]string{{"arn": testScope.PolicyARNs[0]}, {"arn": testScope.PolicyARNs[1]}},
		"Tags":              []map[string]string{{"Key": "team", "Value": "blue"}, {"Key": "env", "Value": "dev"}, {"Key": "agent", "Value": ""}},
		"TransitiveTagKeys": testScope.TransitiveTagKeys, "SourceIdentity": testScope.SourceIdentity})
	out, err := exec.Command("python3", "-c", script, sts.URL+"/boto3/", string(args)).Output()
	if err != nil {
		t.Fatalf("boto3: %v", err)
	}
	calls := sts.Calls()
	var mine, theirs map[string]string
	for _, c := range calls {
		switch c.Scope {
		case "credchain":
			mine = c.Params
		case "boto3":
			theirs = c.Params
		}
	}
	if mine == nil || theirs == nil || !reflect.DeepEqual(mine, theirs) {
		t.Fatalf("AssumeRole parameters differ:\ncredchain %v\nboto3     %v", mine, theirs)
	}
	if mine["Policy"] == "" || mine["Tags.member.3.Key"] != "agent" || mine["SourceIdentity"] != "alice@example.com" {
		t.Fatalf("the scope was not sent: %v", mine)
	}
	key := strings.TrimSpace(string(out))
	if _, ok := mem.Get(key); !ok {
		t.Fatalf("no cache entry under botocore's key %s", key)
	}
	// The unscoped role is another key: never mixed.
	unscoped := role
	unscoped.Scope = credchain.Scope{}
	p2, _ := s.AssumeRoles(unscoped)
	if _, err := p2.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(sts.Calls()); n != 1 {
		t.Fatalf("the unscoped role made %d calls, want its own AssumeRole", n)
	}
}

// TestScopeValidatedBeforeAnyCall: the STS model's limits are checked when
// the chain is built, with a message naming what to change.
func TestScopeValidatedBeforeAnyCall(t *testing.T) {
	s := credchain.NewSession(credchain.WithEnviron(nil))
	tags := make([]credchain.Tag, 51)
	for i := range tags {
		tags[i] = credchain.Tag{Key: "k" + strings.Repeat("x", i), Value: "v"}
	}
	for _, c := range []struct {
		scope credchain.Scope
		want  string
	}{
		{credchain.Scope{Tags: tags}, "51 session tags: at most 50"},
		{credchain.Scope{SourceIdentity: "has space"}, "source identity \"has space\" has characters STS refuses"},
		{credchain.Scope{SourceIdentity: "a"}, "the minimum is 2"},
		{credchain.Scope{PolicyARNs: []string{"arn:x"}}, "policy ARN arn:x is 5 characters long: the minimum is 20"},
		{credchain.Scope{Tags: []credchain.Tag{{Key: "a", Value: "b"}}, TransitiveTagKeys: []string{"z"}}, "transitive tag key z is not one of the session tags"},
		{credchain.Scope{Tags: []credchain.Tag{{Key: "a"}, {Key: "a"}}}, "tag a is given twice"},
		{credchain.Scope{Policy: "caf\u00e9 \u2603"}, "the session policy"},
		{credchain.Scope{Policy: "{not json"}, "the session policy is not JSON"},
	} {
		_, err := s.AssumeRoles(credchain.Role{ARN: "arn:aws:iam::111111111111:role/Ops", Scope: c.scope})
		if err == nil || !strings.Contains(err.Error(), c.want) || creds.KindOf(err) != "ParamValidationError" {
			t.Errorf("scope %+v: err = %v, want ParamValidationError with %q", c.scope, err, c.want)
		}
	}
}

// TestWithScopeNarrowsTheProfilesRole: WithScope applies to the role the
// profile assumes and keys its cache apart.
func TestWithScopeNarrowsTheProfilesRole(t *testing.T) {
	sts := ststest.New()
	defer sts.Close()
	env := homeWith(t, map[string]string{".aws/config": "[profile dev]\nregion = us-east-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\n" +
		"[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n"})
	env["AWS_ENDPOINT_URL_STS"] = sts.URL
	dir := t.TempDir()
	fc := &cache.File{Dir: filepath.Join(dir, "cache")}
	for _, scoped := range []bool{false, true, false, true} {
		opts := []credchain.Option{credchain.WithEnv(env.lookup), credchain.WithProfile("dev"), credchain.WithCache(fc)}
		if scoped {
			opts = append(opts, credchain.WithScope(testScope))
		}
		c, err := credchain.NewSession(opts...).Credentials(context.Background())
		if err != nil || c.Method != "assume-role" {
			t.Fatalf("got %+v, %v", c, err)
		}
	}
	calls := sts.Calls()
	if len(calls) != 2 || calls[0].Params["Policy"] != "" || calls[1].Params["Policy"] != testScope.Policy {
		t.Fatalf("want one unscoped and one scoped AssumeRole (the others from the cache), got %d: %+v", len(calls), calls)
	}
	entries, _ := filepath.Glob(filepath.Join(fc.Dir, "*.json"))
	if len(entries) != 2 {
		t.Fatalf("%d cache files, want 2 (scoped and unscoped apart)", len(entries))
	}
}
