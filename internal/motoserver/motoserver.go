// Package motoserver starts moto_server, a local emulator of STS, IAM, EC2
// and DynamoDB that checks SigV4 signatures and IAM policies, and sets it up
// for credchain's integration tests.
package motoserver

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/credchain/credchain/internal/proc"
)

//go:embed setup.py
var setupScript string

// SetupRequests is how many requests setup.py makes: moto serves them
// without authentication and enforces IAM from the next request on.
const SetupRequests = 20

// Server is a running, set-up moto_server.
type Server struct {
	URL string
	// AccessKeyID and SecretAccessKey are user alice's: she may only
	// assume the roles Ops and Partner.
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	UserARN         string `json:"user_arn"`
	// BobKeyID and BobSecret are bob's key: he may create, delete and
	// list his own access keys, call GetSessionToken, and assume the
	// roles MfaA, MfaB and MfaC (trust: bob, with MFA).
	BobKeyID  string `json:"bob_key_id"`
	BobSecret string `json:"bob_secret"`
	// Roles: Ops (trusts alice), Second (trusts Ops sessions named
	// "chain"), Third (trusts Second sessions named "chain"), Partner
	// (trusts alice with ExternalId "the-right-id").
	Roles    map[string]string `json:"roles"`
	Instance string            `json:"instance"`

	cmd *exec.Cmd
}

// Available reports whether moto_server and boto3 can be run.
func Available() error {
	if _, err := exec.LookPath("moto_server"); err != nil {
		return err
	}
	return exec.Command("python3", "-c", "import boto3, moto").Run()
}

// Start runs moto_server on a free 127.0.0.1 port and sets it up. Stop it
// with Close.
func Start() (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	s.cmd = exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	s.cmd.Env = append(os.Environ(), "INITIAL_NO_AUTH_ACTION_COUNT="+strconv.Itoa(SetupRequests))
	proc.NewGroup(s.cmd)
	var logs bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &logs, &logs
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("moto_server: %w", err)
	}
	if err := s.waitReady(15 * time.Second); err != nil {
		s.Close()
		return nil, fmt.Errorf("%w: %s", err, logs.String())
	}
	cmd := exec.Command("python3", "-c", setupScript, s.URL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("moto setup: %v: %s", err, stderr.String())
	}
	if err := json.Unmarshal(out, s); err != nil {
		s.Close()
		return nil, fmt.Errorf("moto setup output: %w", err)
	}
	return s, nil
}

// waitReady polls a URL that moto answers without counting it as an
// action (the moto API root).
func (s *Server) waitReady(limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := client.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("moto_server did not start within %s", limit)
}

// Close stops the server.
func (s *Server) Close() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = proc.KillGroup(s.cmd.Process)
		_ = s.cmd.Wait()
	}
}
