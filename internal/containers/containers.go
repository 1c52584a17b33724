// Package containers writes what a container engine needs to give a
// container the host's credchain server: a compose override (the socket's
// folder and the static credchain binary mounted, the bridge as a sidecar
// in the service's network namespace, the variables) and a dev container
// Feature (devcontainer-feature.json, its install script and entrypoint).
package containers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"gopkg.in/yaml.v3"
)

// In the container.
const (
	// RunDir is where the socket's folder is mounted.
	RunDir = "/run/credchain"
	// Binary is where the static credchain binary is mounted.
	Binary = "/usr/local/bin/credchain"
	// BridgePort is the loopback port the bridge offers the endpoint on.
	BridgePort = 9911
)

// Options say what to mount and for which services.
type Options struct {
	// SocketDir is the host folder holding the socket (credchain.sock)
	// and its token.
	SocketDir string
	// BinaryPath is the static credchain binary on the host.
	BinaryPath string
	// Services are the compose services that get credentials.
	Services []string
	// Profile is the route: "" for the server's default, else a profile
	// the server allows (/creds/NAME).
	Profile string
	// Image runs the bridge sidecar (any image: the binary is mounted).
	Image string
	// Region is set as AWS_REGION when not "".
	Region string
}

// Env is what the app's SDK reads.
func (o Options) Env() map[string]string {
	route := "/credentials"
	if o.Profile != "" {
		route = "/creds/" + o.Profile
	}
	env := map[string]string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "http://127.0.0.1:" + strconv.Itoa(BridgePort) + route,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": RunDir + "/credchain.sock.token",
	}
	if o.Region != "" {
		env["AWS_REGION"] = o.Region
	}
	return env
}

type volume struct {
	Type     string `yaml:"type" json:"type"`
	Source   string `yaml:"source" json:"source"`
	Target   string `yaml:"target" json:"target"`
	ReadOnly bool   `yaml:"read_only" json:"read_only"`
}

type composeService struct {
	Image       string            `yaml:"image,omitempty" json:"image,omitempty"`
	NetworkMode string            `yaml:"network_mode,omitempty" json:"network_mode,omitempty"`
	Command     []string          `yaml:"command,omitempty" json:"command,omitempty"`
	Restart     string            `yaml:"restart,omitempty" json:"restart,omitempty"`
	Volumes     []volume          `yaml:"volumes" json:"volumes"`
	Environment map[string]string `yaml:"environment,omitempty" json:"environment,omitempty"`
}

// Compose is a compose override file.
type Compose struct {
	Services map[string]composeService `yaml:"services" json:"services"`
}

// ComposeOverride is the override for o's services: each gets the mounts
// and the variables, and a sidecar credchain-bridge-SERVICE in its network
// namespace (network_mode: service:SERVICE) runs the bridge on its
// loopback.
func ComposeOverride(o Options) (Compose, error) {
	if len(o.Services) == 0 {
		return Compose{}, fmt.Errorf("name the services that get credentials: --service NAME")
	}
	if !filepath.IsAbs(o.SocketDir) || !filepath.IsAbs(o.BinaryPath) {
		return Compose{}, fmt.Errorf("the socket folder and the binary must be absolute paths (%s, %s)", o.SocketDir, o.BinaryPath)
	}
	image := o.Image
	if image == "" {
		image = "busybox:stable"
	}
	mounts := []volume{{Type: "bind", Source: o.SocketDir, Target: RunDir, ReadOnly: true}, {Type: "bind", Source: o.BinaryPath, Target: Binary, ReadOnly: true}}
	c := Compose{Services: map[string]composeService{}}
	for _, s := range o.Services {
		c.Services[s] = composeService{Volumes: mounts, Environment: o.Env()}
		c.Services["credchain-bridge-"+s] = composeService{Image: image, NetworkMode: "service:" + s, Restart: "unless-stopped", Volumes: mounts,
			Command: []string{Binary, "bridge", "--socket", RunDir + "/credchain.sock", "--listen", "127.0.0.1:" + strconv.Itoa(BridgePort)}}
	}
	return c, nil
}

// YAML is the override as a compose file.
func (c Compose) YAML() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# credchain: the host's credentials for these services, through a bridge on their loopback.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

// JSON is the override as JSON (for schema checks).
func (c Compose) JSON() ([]byte, error) { return json.Marshal(c) }

// Feature is a dev container Feature: devcontainer-feature.json, install.sh
// and entrypoint.sh, and the binary it installs.
type Feature struct {
	Metadata   map[string]any
	Install    string
	Entrypoint string
}

// DevContainerFeature is the Feature that mounts the socket's folder,
// installs the binary kept beside it, and starts the bridge when the
// container starts.
func DevContainerFeature(socketDir string) Feature {
	meta := map[string]any{
		"id":          "credchain-bridge",
		"version":     "1.0.0",
		"name":        "credchain bridge",
		"description": "The host's AWS credentials (credchain serve --socket) inside the dev container, refreshing, without mounting ~/.aws",
		"options": map[string]any{"profile": map[string]any{"type": "string", "default": "",
			"description": "a profile the host serves with --allow (empty: the server's own)"}},
		"mounts": []map[string]any{{"source": socketDir, "target": RunDir, "type": "bind"}},
		"containerEnv": map[string]string{
			"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "http://127.0.0.1:" + strconv.Itoa(BridgePort) + "/credentials",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": RunDir + "/credchain.sock.token",
		},
		"entrypoint": "/usr/local/share/credchain/entrypoint.sh",
	}
	install := `#!/bin/sh
# Installs the credchain binary kept beside this script and the entrypoint
# that starts the bridge.
set -eu
install -m 0755 "$(dirname "$0")/credchain" ` + Binary + `
mkdir -p /usr/local/share/credchain
install -m 0755 "$(dirname "$0")/entrypoint.sh" /usr/local/share/credchain/entrypoint.sh
if [ -n "${PROFILE:-}" ]; then
  sed -i "s|/credentials|/creds/${PROFILE}|" /usr/local/share/credchain/entrypoint.sh
fi
`
	entry := `#!/bin/sh
# Starts the bridge on the container's loopback, then the container's own
# command.
` + Binary + ` bridge --socket ` + RunDir + `/credchain.sock --listen 127.0.0.1:` + strconv.Itoa(BridgePort) + ` >/dev/null 2>&1 &
exec "$@"
`
	return Feature{Metadata: meta, Install: install, Entrypoint: entry}
}

// Write writes the Feature to dir with the binary at binaryPath copied in.
func (f Feature) Write(dir, binaryPath string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	meta, err := json.MarshalIndent(f.Metadata, "", "  ")
	if err != nil {
		return err
	}
	bin, err := os.ReadFile(binaryPath)
	if err != nil {
		return fmt.Errorf("the static credchain binary: %w", err)
	}
	for name, c := range map[string]struct {
		data []byte
		mode os.FileMode
	}{"devcontainer-feature.json": {append(meta, '\n'), 0o644}, "install.sh": {[]byte(f.Install), 0o755},
		"entrypoint.sh": {[]byte(f.Entrypoint), 0o755}, "credchain": {bin, 0o755}} {
		if err := os.WriteFile(filepath.Join(dir, name), c.data, c.mode); err != nil {
			return err
		}
	}
	return nil
}
