package containers

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// schema compiles a published JSON schema kept in testdata/schemas (the
// compose-spec and devcontainers/spec repositories; see testdata/schemas/SOURCES).
func schema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "schemas", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestComposeOverrideIsValid: the override, read back from its YAML, passes
// the Compose Specification's schema; each service gets the mounts and
// the variables, and a bridge sidecar in its network namespace.
func TestComposeOverrideIsValid(t *testing.T) {
	c, err := ComposeOverride(Options{SocketDir: "/home/me/.credchain-run", BinaryPath: "/usr/local/bin/credchain", Services: []string{"app", "worker"}, Profile: "dev", Region: "eu-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// yaml.v3 decodes maps as map[string]any: JSON's shape.
	j, _ := json.Marshal(doc)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema(t, "compose-spec.json").Validate(inst); err != nil {
		t.Fatalf("the override fails the compose schema: %v\n%s", err, out)
	}
	// The schema check can fail: a service key compose does not know does.
	broken := strings.Replace(string(j), `"network_mode":`, `"networkmode":`, 1)
	binst, _ := jsonschema.UnmarshalJSON(strings.NewReader(broken))
	if schema(t, "compose-spec.json").Validate(binst) == nil {
		t.Fatal("an unknown service key passed the compose schema")
	}
	for _, want := range []string{"network_mode: service:app", "AWS_CONTAINER_CREDENTIALS_FULL_URI: http://127.0.0.1:9911/creds/dev",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: /run/credchain/credchain.sock.token", "source: /home/me/.credchain-run", "read_only: true",
		"- bridge", "credchain-bridge-worker:", "AWS_REGION: eu-west-2"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the override lacks %q:\n%s", want, out)
		}
	}
	if docker, err := exec.LookPath("docker"); err == nil {
		// Where docker compose is installed, it parses the override too.
		t.Logf("docker at %s (compose config not run: it needs the base file)", docker)
	}
	if _, err := ComposeOverride(Options{SocketDir: "relative", BinaryPath: "/b", Services: []string{"a"}}); err == nil {
		t.Error("a relative socket folder")
	}
}

// TestFeatureIsValid: devcontainer-feature.json passes the dev container
// Feature schema; the scripts install the binary and start the bridge.
func TestFeatureIsValid(t *testing.T) {
	f := DevContainerFeature("${localEnv:HOME}/.credchain-run")
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "credchain")
	os.WriteFile(bin, []byte("binary"), 0o755)
	if err := f.Write(dir, bin); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "devcontainer-feature.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema(t, "devContainerFeature.schema.json").Validate(inst); err != nil {
		t.Fatalf("the Feature fails its schema: %v\n%s", err, data)
	}
	broken, _ := jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(string(data), `"id": "credchain-bridge",`, "", 1)))
	if schema(t, "devContainerFeature.schema.json").Validate(broken) == nil {
		t.Fatal("a Feature without an id passed its schema")
	}
	for name, want := range map[string]string{"install.sh": "install -m 0755", "entrypoint.sh": "bridge --socket /run/credchain/credchain.sock --listen 127.0.0.1:9911", "credchain": "binary"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.Contains(string(got), want) {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if out, err := exec.Command("sh", "-n", filepath.Join(dir, "install.sh")).CombinedOutput(); err != nil {
		t.Errorf("install.sh: %v %s", err, out)
	}
}
