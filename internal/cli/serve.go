package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/credchain/credchain/internal/profiles"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/lifecycle"
	"github.com/credchain/credchain/internal/proc"
	"github.com/credchain/credchain/internal/selfbin"
	"github.com/credchain/credchain/server"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	roleFlags
	listen   string
	socket   string
	allow    []string
	protocol string
	format   string
	detach   bool
	stop     bool
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
		Example: `  eval "$(credchain serve admin --detach)"       # like ssh-agent
  eval "$(credchain serve --stop)"               # stops it; the shell is as it was before
  credchain serve admin --detach --format fish | source
  credchain serve --profile admin --protocol imds`,
		Short: "Serve refreshing credentials to local processes (container or IMDSv2 protocol), hardened",
		Long: `Serve one profile's (or role's) credentials to processes on this machine, refreshed
in the background ahead of expiry: while STS is slow or failing, the credentials held
are served for as long as they are valid. Start it like ssh-agent:

  eval "$(credchain serve admin --detach)"
  eval "$(credchain serve --stop)"              # stops it, like ssh-agent -k

With --detach, credchain resolves the credentials first, on this terminal (an MFA code
or an SSO sign-in happens here), then leaves the server running in the background with
its audit log in a 0600 file under the user's state directory, and prints the variables
that point the shell at it, with CREDCHAIN_SERVER_PID. A second --detach replaces the
first server; --stop stops it and puts back every variable as the shell had it before
the first --detach. Without --detach it serves in the foreground (Ctrl-C stops it) and
audits on stderr.

The variables clear what would win over the server in boto3's chain (environment keys,
AWS_PROFILE) and set the region. ~/.aws/config and ~/.aws/credentials are blanked (empty
AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE) only when their default profile has
credentials boto3 would take first; stderr says so. Other profiles keep working. The server listens on loopback only, refuses
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
			if o.stop {
				if len(args) > 0 || g.profileSet || o.detach {
					return usageError{errors.New("--stop takes no profile and no --detach: it stops the server of this shell")}
				}
				code, err := o.stopCode(e)
				if err != nil {
					return err
				}
				_, err = e.stdout.Write(code)
				return err
			}
			if o.socket != "" && o.protocol != server.Container {
				return usageError{errors.New("--socket serves the container protocol: drop --protocol imds")}
			}
			if len(o.allow) > 0 && o.socket == "" {
				return usageError{errors.New("--allow names the profiles a container may ask for over --socket: give --socket PATH")}
			}
			if o.detach {
				return o.startDetached(cmd, e, g)
			}
			var initial *creds.Credentials
			if o.detached {
				c, err := readInitial(e.stdin)
				if err != nil {
					return usageError{err}
				}
				initial = &c
			}
			srv, region, err := o.start(cmd, e, g, initial)
			if err != nil {
				return err
			}
			defer o.audit.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), proc.Stop...)
			defer stop()
			if sock := srv.Socket(); sock != "" {
				defer os.Remove(sock)
				defer os.Remove(server.TokenFile(sock))
			}
			if o.detached {
				rep := lifecycle.Report{PID: os.Getpid(), Protocol: srv.Protocol, Endpoint: srv.URL(), Token: srv.Token,
					Started: time.Now().UTC()}
				remove, err := registry(e).Add(rep)
				if err != nil {
					return err
				}
				defer remove()
				if err := lifecycle.Announce(e.stdout, rep); err != nil {
					return err
				}
				if f, ok := e.stdout.(*os.File); ok {
					_ = f.Close() // the starting command reads until the pipe closes
				}
				return srv.Serve(ctx)
			}
			if srv.Socket() != "" {
				fmt.Fprintf(e.stderr, "credchain: serving on the socket %s (token in %s) since %s; in the container: eval \"$(credchain bridge --socket %s --detach)\"; Ctrl-C to stop\n",
					srv.Socket(), server.TokenFile(srv.Socket()), time.Now().UTC().Format(time.RFC3339), srv.Socket())
				return srv.Serve(ctx)
			}
			out, err := shellenv.Render(o.format, serverEnv(srv.Protocol, srv.URL(), srv.Token, region, e))
			if err != nil {
				return err
			}
			if err := privateOutput(e.stdout); err != nil {
				return err
			}
			if _, err := e.stdout.Write(out); err != nil {
				return err
			}
			if f, ok := e.stdout.(*os.File); ok {
				_ = f.Sync()
			}
			fmt.Fprintf(e.stderr, "credchain: serving on %s (%s protocol) since %s; Ctrl-C to stop\n", srv.Addr(), srv.Protocol, time.Now().UTC().Format(time.RFC3339))
			return srv.Serve(ctx)
		},
		ValidArgsFunction: completeProfiles(e),
	}
	o.register(cmd)
	g.regionFlag(cmd)
	cmd.Flags().StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback address to listen on (port 0 picks one)")
	cmd.Flags().StringVar(&o.socket, "socket", "", "serve on a unix socket at PATH (its folder 0700; the token in PATH.token) for containers given the folder (credchain bridge)")
	cmd.Flags().StringSliceVar(&o.allow, "allow", nil, "with --socket: also serve these profiles at /creds/PROFILE")
	cmd.Flags().StringVar(&o.protocol, "protocol", server.Container, "container (AWS_CONTAINER_CREDENTIALS_FULL_URI) or imds (AWS_EC2_METADATA_SERVICE_ENDPOINT; readable by any local user)")
	cmd.Flags().StringVar(&o.format, "format", "env", "shell of the printed variables: "+strings.Join(serveFormats, ", "))
	cmd.Flags().BoolVar(&o.detach, "detach", false, "run in the background once it answers, and print the variables with CREDCHAIN_SERVER_PID")
	cmd.Flags().BoolVar(&o.stop, "stop", false, "stop this shell's server and print what puts the shell back as it was before the first --detach")
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
func (o *serveOptions) start(cmd *cobra.Command, e *env, g *globals, initial *creds.Credentials) (*server.Server, string, error) {
	if o.protocol != server.Container && o.protocol != server.IMDS {
		return nil, "", usageError{fmt.Errorf("invalid --protocol %q (container or imds)", o.protocol)}
	}
	serverGC(e.lookup)
	var c creds.Credentials
	var s *credchain.Session
	var src func(context.Context) (creds.Credentials, error)
	slow := false
	if initial != nil {
		// Resolved by the command that started this server, on its
		// terminal: only refreshes are this process's.
		scope, max, err := o.scopeFlags.build(e, g)
		if err != nil {
			return nil, "", err
		}
		roles, err := o.roles(scope, max)
		if err != nil {
			return nil, "", usageError{err}
		}
		if len(roles) == 0 {
			g.scope = scope
		}
		s = g.session(e)
		if src, err = source(s, roles); err != nil {
			return nil, "", err
		}
		c = *initial
	} else {
		ctx, cancel := context.WithTimeout(cmd.Context(), startWait)
		defer cancel()
		var err error
		c, s, src, err = o.resolve(ctx, e, g)
		slow = err != nil && errors.Is(err, context.DeadlineExceeded) && cmd.Context().Err() == nil && src != nil
		if err != nil && !slow {
			return nil, "", err
		}
	}
	keeper := &creds.Background{Provider: creds.Func(src, c.Method)}
	if !slow {
		keeper.Hold(c)
	} else {
		fmt.Fprintf(e.stderr, "credchain: the first credentials are not there after %s; serving, requests wait for them\n", startWait)
	}
	region := g.exportRegion(e, s)
	srv, err := server.New(o.protocol, keeper)
	if err != nil {
		return nil, "", err
	}
	o.audit = server.NewAuditLog(e.stderr, server.DefaultAuditQueue)
	srv.Audit = o.audit.Line
	if len(o.allow) > 0 {
		srv.Profiles = map[string]creds.Provider{}
		for _, name := range o.allow {
			p := *g
			p.profile, p.profileSet, p.scope = name, true, credchain.Scope{}
			ps := p.session(e)
			first, err := ps.Credentials(cmd.Context())
			if err != nil {
				return nil, "", fmt.Errorf("--allow %s: %w", name, err)
			}
			k := &creds.Background{Provider: creds.Func(ps.Credentials, first.Method)}
			k.Hold(first)
			srv.Profiles[name] = k
		}
	}
	if o.socket != "" {
		if err := srv.ListenUnix(o.socket); err != nil {
			return nil, "", usageError{err}
		}
		return srv, region, nil
	}
	if err := srv.Listen(o.listen); err != nil {
		return nil, "", usageError{err}
	}
	return srv, region, nil
}

// serverEnv is what a client needs to use the server at endpoint, and
// what must be cleared so that nothing earlier in boto3's chain wins over
// it. The shared files are blanked only when boto3 with no profile would
// otherwise take credentials from them before reaching the server (a
// default profile with credentials): the shell keeps every other profile
// (aws --profile dev, ccswitch) otherwise; stderr says when they are.
func serverEnv(protocol, endpoint, token, region string, e *env) shellenv.Env {
	var change shellenv.Env
	for _, n := range serverCleared {
		change.Unsetenv(n)
	}
	if where, wins := defaultProfileWins(e.lookup); wins {
		fmt.Fprintf(e.stderr, "credchain: the default profile (%s) has credentials that boto3 would use before the server's: "+
			"AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are set empty for the server's clients\n", where)
		change.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
		change.Setenv("AWS_CONFIG_FILE", "")
	}
	if protocol == server.IMDS {
		for _, n := range []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_DISABLED"} {
			change.Unsetenv(n)
		}
		change.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)
		change.Setenv("AWS_EC2_METADATA_V1_DISABLED", "true")
	} else {
		change.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint)
		change.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", token)
	}
	change.SetRegion(region, e.lookup)
	return change
}

// defaultProfileWins says whether boto3 with no profile would find
// credentials in the shared files (the default profile is a role, SSO,
// process, login or has keys), and where that profile is defined.
func defaultProfileWins(lookup func(string) (string, bool)) (string, bool) {
	list, err := profiles.Read(lookup)
	if err != nil {
		return "the shared files do not parse", true // boto3 would fail on them before the server
	}
	if p, ok := list.Lookup("default"); ok && p.Method != "" {
		return strings.Join(p.Defined, ", "), true
	}
	return "", false
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

// serveSaveVar is the shell variable holding what the shell had before
// the first serve --detach, for serve --stop.
const serveSaveVar = "__credchain_serve_restore"

// serverCleared are the variables serverEnv always clears: what would win
// over the server in boto3's chain.
var serverCleared = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
	"AWS_CREDENTIAL_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}

// serverVars are the variables serve --detach may change in a shell:
// serverEnv's, for either protocol, and the server's pid.
var serverVars = append(slices.Clone(serverCleared), serverSocketVar,
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_V1_DISABLED",
	"AWS_REGION", "AWS_DEFAULT_REGION", shellenv.RegionMarker, serverPIDVar)

// serverPIDVar names the background server of a shell.
const serverPIDVar = "CREDCHAIN_SERVER_PID"

// serverSocketVar is the socket a detached serve --socket listens on.
const serverSocketVar = "CREDCHAIN_SERVER_SOCKET"

// registry is where running background servers are registered.
func registry(e *env) lifecycle.Registry {
	return lifecycle.Registry{Dir: filepath.Join(stateDir(e), "servers")}
}

// startDetached resolves the credentials here, in the foreground (so that
// an MFA code is asked for and an SSO sign-in runs on this terminal), then
// starts this same command in the background without --detach, hands it
// the credentials on its stdin, its audit log in a new 0600 file, waits
// until it answers, stops the server this shell had (a second --detach
// replaces the first), and prints the variables with CREDCHAIN_SERVER_PID,
// after the code that saves what the shell had for serve --stop.
func (o *serveOptions) startDetached(cmd *cobra.Command, e *env, g *globals) error {
	c, s, _, err := o.resolve(cmd.Context(), e, g)
	if err != nil {
		return err
	}
	region := g.exportRegion(e, s)
	initial, err := json.Marshal(c)
	if err != nil {
		return err
	}
	self, err := selfbin.Self()
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
	child := exec.Command(self, append(args, "--detached-child")...)
	child.Env = os.Environ()
	child.Stderr = logf
	rep, err := lifecycle.Start(child, initial, detachTimeout)
	if err != nil {
		var ee *lifecycle.ExitError
		if errors.As(err, &ee) {
			// The server stopped before it listened: its error is in the
			// log (read by name: the child shared the file's offset).
			if msg, rerr := os.ReadFile(logf.Name()); rerr == nil {
				_, _ = e.stderr.Write(msg[:min(len(msg), 16<<10)])
			}
			_ = os.Remove(logf.Name())
			return exitError{max(ee.Code, ExitError)}
		}
		return fmt.Errorf("%w; see %s", err, logf.Name())
	}
	if err := waitAnswer(cmd.Context(), rep); err != nil {
		_ = proc.KillPID(rep.PID)
		return fmt.Errorf("the server does not answer (%v); its log: %s", err, logf.Name())
	}
	if old, ok := e.lookup(serverPIDVar); ok {
		if pid, err := strconv.Atoi(old); err == nil && pid != rep.PID {
			if err := stopServer(e, pid); err == nil {
				fmt.Fprintf(e.stderr, "credchain: stopped server %d, which this shell used before\n", pid)
			}
		}
	}
	var change shellenv.Env
	if socket, ok := strings.CutPrefix(rep.Endpoint, "unix:"); ok {
		// For containers: this shell keeps its own credentials and gets
		// the socket's path.
		change.Setenv(serverSocketVar, socket)
	} else {
		change = serverEnv(rep.Protocol, rep.Endpoint, rep.Token, region, e)
	}
	change.Setenv(serverPIDVar, strconv.Itoa(rep.PID))
	save, err := shellenv.Snapshot(o.format, serveSaveVar, serverVars, e.lookup)
	if err != nil {
		_ = proc.KillPID(rep.PID)
		return err
	}
	body, err := shellenv.Render(o.format, change)
	if err != nil {
		_ = proc.KillPID(rep.PID)
		return err
	}
	fmt.Fprintf(e.stderr, "credchain: server %d answers on %s; audit log %s; stop it with: eval \"$(credchain serve --stop)\"\n",
		rep.PID, rep.Endpoint, logf.Name())
	if err := privateOutput(e.stdout); err != nil {
		_ = proc.KillPID(rep.PID)
		return err
	}
	_, err = e.stdout.Write(append(save, body...))
	return err
}

// readInitial reads the credentials the starting command handed over.
func readInitial(r io.Reader) (creds.Credentials, error) {
	var c creds.Credentials
	data, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err == nil {
		err = json.Unmarshal(data, &c)
	}
	if err != nil || c.AccessKeyID == "" {
		return creds.Credentials{}, errors.New("--detached-child: no credentials on stdin (it is started by serve --detach)")
	}
	return c, nil
}

// stopCode stops the server of this shell (CREDCHAIN_SERVER_PID) and
// returns the code that puts the shell back as it was before the first
// serve --detach.
func (o *serveOptions) stopCode(e *env) ([]byte, error) {
	if old, ok := e.lookup(serverPIDVar); ok {
		pid, err := strconv.Atoi(old)
		if err != nil {
			return nil, fmt.Errorf("%s=%q is not a pid", serverPIDVar, old)
		}
		switch err := stopServer(e, pid); {
		case err == nil:
			fmt.Fprintf(e.stderr, "credchain: stopped server %d\n", pid)
		case errors.Is(err, lifecycle.ErrNotRunning):
			fmt.Fprintf(e.stderr, "credchain: server %d is not running\n", pid)
		default:
			return nil, err
		}
	} else {
		fmt.Fprintf(e.stderr, "credchain: this shell has no server (%s is not set)\n", serverPIDVar)
	}
	return shellenv.Restore(o.format, serveSaveVar, serverVars)
}

// stopServer stops the registered server pid, checked against the
// endpoint this shell has for it.
func stopServer(e *env, pid int) error {
	return registry(e).Stop(pid, func(r lifecycle.Report) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		tok, _ := e.lookup("AWS_CONTAINER_AUTHORIZATION_TOKEN")
		err := server.Probe(ctx, r.Protocol, r.Endpoint, tok)
		var se *server.StatusError
		if errors.As(err, &se) {
			return nil // it answers: the endpoint is served
		}
		return err
	})
}

// waitAnswer asks the server for credentials the way a client would, until
// it answers 200.
func waitAnswer(ctx context.Context, r lifecycle.Report) error {
	deadline := time.Now().Add(detachTimeout)
	var last error
	for time.Now().Before(deadline) {
		if last = server.Probe(ctx, r.Protocol, r.Endpoint, r.Token); last == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return last
}

// privateOutput makes stdout owner-only before a token is written to it,
// when it is a regular file (serve P > file with umask 022 left the token
// readable by every local user); it refuses when that cannot be done.
func privateOutput(w io.Writer) error {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := f.Chmod(fi.Mode().Perm() &^ 0o077); err != nil {
		return fmt.Errorf("stdout is a file others can read (%s) and cannot be made owner-only (%v): the endpoint's token was not written", fi.Name(), err)
	}
	return nil
}
