package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/proc"
	"github.com/credchain/credchain/server"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	roleFlags
	listen   string
	protocol string
	format   string
	detach   bool
	detached bool // this process is the server a --detach started
	audit    *server.AuditLog
}

// startWait is how long serve waits for the first credentials before it
// prints its endpoint anyway; requests then wait for them.
var startWait = 5 * time.Second

// serveFormats are the shells serve prints for.
var serveFormats = []string{"env", "fish", "powershell"}

func newServeCmd(e *env, g *globals) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use: "serve [PROFILE] [--role-arn ARN ...] [--detach] [--listen 127.0.0.1:0] [--protocol container|imds]",
		Example: `  eval "$(credchain serve admin --detach)"       # like ssh-agent; kill $CREDCHAIN_SERVER_PID stops it
  credchain serve admin --detach --format fish | source
  credchain serve --profile admin --protocol imds`,
		Short: "Serve refreshing credentials to local processes (container or IMDSv2 protocol), hardened",
		Long: `Serve one profile's (or role's) credentials to processes on this machine, refreshed
in the background ahead of expiry: while STS is slow or failing, the credentials held
are served for as long as they are valid. Start it like ssh-agent:

  eval "$(credchain serve admin --detach)"
  kill $CREDCHAIN_SERVER_PID                    # stops it

With --detach, credchain returns once the server answers, leaves it running in the
background with its audit log in a 0600 file under the user's state directory, and
prints the variables that point a shell at it, with CREDCHAIN_SERVER_PID. Without
--detach it serves in the foreground (Ctrl-C stops it) and audits on stderr.

The variables clear what would win over the server in boto3's chain (environment keys,
AWS_PROFILE, ~/.aws/credentials and ~/.aws/config via empty AWS_SHARED_CREDENTIALS_FILE
and AWS_CONFIG_FILE) and set the region. The server listens on loopback only, refuses
other Host headers and browser requests, and audits each request with the masked key id,
never blocking on the log.

Protocols: container (default) requires a random token that only the shell holding the
variables knows. imds serves an IMDSv2-compatible endpoint: a session token is required,
but anyone can get one, so ANY LOCAL USER AND PROCESS that can reach the port can read
the credentials it serves; use it only on a single-user machine, for tools that speak
nothing else.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if front {
				return errFullBuild // it refreshes from AWS for as long as it runs
			}
			if err := g.profileArg(args); err != nil {
				return err
			}
			if !slices.Contains(serveFormats, o.format) {
				return usageError{fmt.Errorf("invalid --format %q (valid: %s)", o.format, strings.Join(serveFormats, ", "))}
			}
			if o.detach {
				return o.startDetached(cmd, e)
			}
			srv, region, err := o.start(cmd, e, g)
			if err != nil {
				return err
			}
			defer o.audit.Close()
			out, err := shellenv.Render(o.format, serverEnv(srv, region, e.lookup))
			if err != nil {
				return err
			}
			if _, err := e.stdout.Write(out); err != nil {
				return err
			}
			if f, ok := e.stdout.(*os.File); ok {
				_ = f.Sync()
				if o.detached {
					// The parent reads until the pipe closes.
					_ = f.Close()
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), proc.Stop...)
			defer stop()
			fmt.Fprintf(e.stderr, "credchain: serving on %s (%s protocol) since %s; Ctrl-C to stop\n", srv.Addr(), srv.Protocol, time.Now().UTC().Format(time.RFC3339))
			return srv.Serve(ctx)
		},
		ValidArgsFunction: completeProfiles(e),
	}
	o.register(cmd)
	g.regionFlag(cmd)
	cmd.Flags().StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback address to listen on (port 0 picks one)")
	cmd.Flags().StringVar(&o.protocol, "protocol", server.Container, "container (AWS_CONTAINER_CREDENTIALS_FULL_URI) or imds (AWS_EC2_METADATA_SERVICE_ENDPOINT; readable by any local user)")
	cmd.Flags().StringVar(&o.format, "format", "env", "shell of the printed variables: "+strings.Join(serveFormats, ", "))
	cmd.Flags().BoolVar(&o.detach, "detach", false, "run in the background once it answers, and print the variables with CREDCHAIN_SERVER_PID")
	cmd.Flags().BoolVar(&o.detached, "detached-child", false, "internal: this process is the server --detach started")
	_ = cmd.Flags().MarkHidden("detached-child")
	return cmd
}

// serverGC undoes main's GOGC=400 (right for commands that run for
// milliseconds) for a server that runs for hours: the default collector
// keeps its heap small. GOGC in the environment still wins.
func serverGC(lookup func(string) (string, bool)) {
	if _, set := lookup("GOGC"); !set {
		debug.SetGCPercent(100)
	}
}

// start resolves the source once (so that configuration errors show at
// start) and listens. The first credentials are awaited up to startWait: a
// slow STS does not keep the endpoint from being printed.
func (o *serveOptions) start(cmd *cobra.Command, e *env, g *globals) (*server.Server, string, error) {
	if o.protocol != server.Container && o.protocol != server.IMDS {
		return nil, "", usageError{fmt.Errorf("invalid --protocol %q (container or imds)", o.protocol)}
	}
	serverGC(e.lookup)
	ctx, cancel := context.WithTimeout(cmd.Context(), startWait)
	defer cancel()
	c, s, src, err := o.resolve(ctx, e, g)
	slow := err != nil && errors.Is(err, context.DeadlineExceeded) && cmd.Context().Err() == nil && src != nil
	if err != nil && !slow {
		return nil, "", err
	}
	keeper := &creds.Background{Provider: creds.Func(src, c.Method)}
	if !slow {
		keeper.Hold(c)
	} else {
		fmt.Fprintf(e.stderr, "credchain: the first credentials are not there after %s; serving, requests wait for them\n", startWait)
	}
	region := g.exportRegion(e, s)
	srv, err := server.New(o.protocol, keeper.Retrieve)
	if err != nil {
		return nil, "", err
	}
	o.audit = server.NewAuditLog(e.stderr, server.DefaultAuditQueue)
	srv.Audit = o.audit.Line
	if err := srv.Listen(o.listen); err != nil {
		return nil, "", usageError{err}
	}
	return srv, region, nil
}

// serverEnv is what a client needs to use srv, and what must be cleared so
// that nothing earlier in boto3's chain wins over it.
func serverEnv(srv *server.Server, region string, env func(string) (string, bool)) shellenv.Env {
	var change shellenv.Env
	for _, n := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
		"AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CREDENTIAL_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"} {
		change.Unsetenv(n)
	}
	change.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	change.Setenv("AWS_CONFIG_FILE", "")
	if srv.Protocol == server.IMDS {
		for _, n := range []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_DISABLED"} {
			change.Unsetenv(n)
		}
		change.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL())
		change.Setenv("AWS_EC2_METADATA_V1_DISABLED", "true")
	} else {
		change.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL())
		change.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", srv.Token)
	}
	change.SetRegion(region, env)
	return change
}

// serveDuring runs srv until run returns.
func serveDuring(srv *server.Server, run func() error) error {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	err := run()
	cancel()
	<-done
	return err
}

// stateDir is where credchain keeps per-user state (serve's audit logs):
// $XDG_STATE_HOME/credchain, else ~/.local/state/credchain; on Windows
// %LOCALAPPDATA%\credchain.
func stateDir(e *env) string {
	if d, ok := e.lookup("XDG_STATE_HOME"); ok && filepath.IsAbs(d) {
		return filepath.Join(d, "credchain")
	}
	if d, ok := e.lookup("LOCALAPPDATA"); ok && d != "" {
		return filepath.Join(d, "credchain")
	}
	return filepath.Join(awsconfig.ExpandUser("~", e.lookup), ".local", "state", "credchain")
}

// detachTimeout bounds how long --detach waits for the server to answer.
const detachTimeout = 30 * time.Second

// startDetached starts this same command in the background without
// --detach, its audit log in a new 0600 file, waits until the server
// answers, and prints the variables with CREDCHAIN_SERVER_PID.
func (o *serveOptions) startDetached(cmd *cobra.Command, e *env) error {
	self, err := executable()
	if err != nil {
		return err
	}
	dir := stateDir(e)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state directory %s: %w", dir, err)
	}
	logf, err := os.CreateTemp(dir, "serve-"+time.Now().UTC().Format("20060102T150405Z")+"-*.log")
	if err != nil {
		return fmt.Errorf("audit log in %s: %w", dir, err)
	}
	defer logf.Close()
	args := []string{}
	for _, a := range os.Args[1:] {
		if a != "--detach" && a != "--detach=true" {
			args = append(args, a)
		}
	}
	if len(args) == len(os.Args[1:]) {
		return usageError{errors.New("--detach must be given as --detach")}
	}
	child := exec.Command(self, append(args, "--detached-child", "--format", "env")...)
	child.Env = os.Environ()
	child.Stderr = logf
	out, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	proc.Detach(child)
	if err := child.Start(); err != nil {
		return fmt.Errorf("starting the server: %w", err)
	}
	exited := make(chan error, 1)
	lines := make(chan []string, 1)
	go func() {
		var got []string
		sc := bufio.NewScanner(io.LimitReader(out, 1<<20))
		for sc.Scan() {
			got = append(got, sc.Text())
		}
		lines <- got
		exited <- child.Wait()
	}()
	var printed []string
	select {
	case printed = <-lines:
	case <-time.After(detachTimeout):
		_ = child.Process.Kill()
		return fmt.Errorf("the server did not start within %s; see %s", detachTimeout, logf.Name())
	}
	vars := parseExports(printed)
	if vars.endpoint() == "" {
		// The server stopped before it listened: its error is in the log.
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = child.Process.Kill()
		}
		// The child shares the file's offset: read it by name.
		if msg, err := os.ReadFile(logf.Name()); err == nil {
			_, _ = e.stderr.Write(msg[:min(len(msg), 16<<10)])
		}
		_ = os.Remove(logf.Name())
		code := child.ProcessState.ExitCode()
		if code <= 0 {
			code = ExitError
		}
		return exitError{code}
	}
	if err := waitAnswer(cmd.Context(), vars); err != nil {
		_ = child.Process.Kill()
		select {
		case <-exited:
		case <-time.After(time.Second):
		}
		return fmt.Errorf("the server does not answer (%v); its log: %s", err, logf.Name())
	}
	var change shellenv.Env
	for _, kv := range vars.set {
		change.Setenv(kv[0], kv[1])
	}
	for _, n := range vars.clear {
		change.Unsetenv(n)
	}
	pid := child.Process.Pid
	change.Setenv("CREDCHAIN_SERVER_PID", strconv.Itoa(pid))
	rendered, err := shellenv.Render(o.format, change)
	if err != nil {
		_ = child.Process.Kill()
		return err
	}
	_ = child.Process.Release()
	fmt.Fprintf(e.stderr, "credchain: server %d answers on %s; audit log %s\n", pid, vars.endpoint(), logf.Name())
	_, err = e.stdout.Write(rendered)
	return err
}

// exports are the variables a serve child printed (POSIX format).
type exports struct {
	set   [][2]string
	clear []string
}

func (x exports) get(name string) string {
	for _, kv := range x.set {
		if kv[0] == name {
			return kv[1]
		}
	}
	return ""
}

func (x exports) endpoint() string {
	if u := x.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"); u != "" {
		return u
	}
	return x.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
}

// parseExports reads the "unset A B" and "export K='v'" lines serve prints.
func parseExports(lines []string) exports {
	var x exports
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "unset "); ok {
			x.clear = append(x.clear, strings.Fields(rest)...)
			continue
		}
		if rest, ok := strings.CutPrefix(l, "export "); ok {
			if k, v, ok := strings.Cut(rest, "="); ok {
				x.set = append(x.set, [2]string{k, unquotePOSIX(v)})
			}
		}
	}
	return x
}

// unquotePOSIX undoes shellenv.QuotePOSIX.
func unquotePOSIX(s string) string {
	s = strings.TrimPrefix(strings.TrimSuffix(s, "'"), "'")
	return strings.ReplaceAll(s, `'\''`, "'")
}

// waitAnswer asks the server for credentials the way a client would, until
// it answers 200.
func waitAnswer(ctx context.Context, x exports) error {
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(detachTimeout)
	var last error
	for time.Now().Before(deadline) {
		last = askServer(ctx, client, x)
		if last == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return last
}

func askServer(ctx context.Context, client *http.Client, x exports) error {
	var req *http.Request
	if u := x.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"); u != "" {
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		req.Header.Set("Authorization", x.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
	} else {
		base := x.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
		if base == "" {
			return errors.New("the server printed no endpoint")
		}
		tr, _ := http.NewRequestWithContext(ctx, http.MethodPut, base+"latest/api/token", nil)
		tr.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "60")
		resp, err := client.Do(tr)
		if err != nil {
			return err
		}
		tok, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, base+"latest/meta-data/iam/security-credentials/"+server.RoleName, nil)
		req.Header.Set("X-Aws-Ec2-Metadata-Token", string(tok))
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// executable is the path of the running credchain, to start it again.
func executable() (string, error) {
	if p := os.Args[0]; strings.ContainsRune(p, os.PathSeparator) {
		return filepath.Abs(p)
	}
	if p, err := exec.LookPath(os.Args[0]); err == nil {
		return p, nil
	}
	return os.Executable()
}
