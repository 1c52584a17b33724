package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Probe asks the server at endpoint (URL's value) for credentials the way a
// client of protocol does: the container protocol with token in
// Authorization, IMDS with a session token first. It returns nil when the
// server answers 200. Redirects are not followed and every read is bounded.
func Probe(ctx context.Context, protocol, endpoint, token string) error {
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if socket, ok := strings.CutPrefix(endpoint, "unix:"); ok {
		// A server on a unix socket (Server.URL): its container route, over
		// the socket, with the Host it expects.
		client.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		}}
		endpoint = "http://" + SocketHost + ContainerPath
	}
	var req *http.Request
	var err error
	switch protocol {
	case Container:
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil); err != nil {
			return err
		}
		req.Header.Set("Authorization", token)
	case IMDS:
		base := strings.TrimSuffix(endpoint, "/")
		tr, err := http.NewRequestWithContext(ctx, http.MethodPut, base+imdsTokenPath, nil)
		if err != nil {
			return err
		}
		tr.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "60")
		resp, err := client.Do(tr)
		if err != nil {
			return err
		}
		tok, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return &StatusError{Status: resp.StatusCode}
		}
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, base+imdsRolePath+RoleName, nil); err != nil {
			return err
		}
		req.Header.Set("X-Aws-Ec2-Metadata-Token", string(tok))
	default:
		return errors.New("unknown protocol " + protocol)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &StatusError{Status: resp.StatusCode}
	}
	return nil
}

// StatusError is an answer other than 200: something serves the endpoint,
// but did not give credentials.
type StatusError struct{ Status int }

func (e *StatusError) Error() string { return fmt.Sprintf("status %d", e.Status) }
