package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/server"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	roleFlags
	listen   string
	protocol string
	audit    auditLog
}

// auditLog writes audit lines through a buffer flushed every 100 ms, so a
// busy server does not make one write call per request.
type auditLog struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func (a *auditLog) start(out io.Writer) func(string) {
	a.w = bufio.NewWriterSize(out, 64<<10)
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(a.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				a.flush()
			case <-a.stop:
				a.flush()
				return
			}
		}
	}()
	return func(line string) {
		a.mu.Lock()
		a.w.WriteString("credchain: " + line + "\n")
		a.mu.Unlock()
	}
}

func (a *auditLog) flush() {
	a.mu.Lock()
	a.w.Flush()
	a.mu.Unlock()
}

// close flushes what is left.
func (a *auditLog) close() {
	if a.stop != nil {
		close(a.stop)
		<-a.done
		a.stop = nil
	}
}

func newServeCmd(e *env, g *globals) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use: "serve [--profile P | --role-arn ARN ...] [--listen 127.0.0.1:0] [--protocol container|imds]",
		Example: `  credchain serve --profile admin > /tmp/creds.env & . /tmp/creds.env
  credchain serve --profile admin --protocol imds`,
		Short: "Serve refreshing credentials to local processes (container or IMDSv2 protocol), hardened",
		Long: `Serve one profile's (or role's) credentials to processes on this machine, refreshed
ahead of expiry. The lines printed on stdout point a shell at the server:

  credchain serve --profile admin > /tmp/creds.env &
  . /tmp/creds.env

They clear the variables and files that would win over the server in boto3's chain
(environment keys, AWS_PROFILE, ~/.aws/credentials and ~/.aws/config via empty
AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE) and set the region. The server listens on
loopback only, requires a random token (container protocol) or an IMDSv2 session token,
refuses other Host headers and browser requests, and prints one audit line per request
on stderr with the masked key id.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			srv, region, err := o.start(cmd, e, g)
			if err != nil {
				return err
			}
			set, clear := serverEnv(srv, region)
			out := fmt.Sprintf("unset %s\n", strings.Join(clear, " "))
			for _, kv := range set {
				out += fmt.Sprintf("export %s=%s\n", kv[0], shellenv.QuotePOSIX(kv[1]))
			}
			if _, err := fmt.Fprint(e.stdout, out); err != nil {
				return err
			}
			if f, ok := e.stdout.(*os.File); ok {
				_ = f.Sync()
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(e.stderr, "credchain: serving on %s (%s protocol); Ctrl-C to stop\n", srv.Addr(), srv.Protocol)
			defer o.audit.close()
			return srv.Serve(ctx)
		},
	}
	o.register(cmd)
	cmd.Flags().StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback address to listen on (port 0 picks one)")
	cmd.Flags().StringVar(&o.protocol, "protocol", server.Container, "container (AWS_CONTAINER_CREDENTIALS_FULL_URI) or imds (AWS_EC2_METADATA_SERVICE_ENDPOINT)")
	return cmd
}

// start resolves the source once (so configuration errors show at start)
// and listens.
func (o *serveOptions) start(cmd *cobra.Command, e *env, g *globals) (*server.Server, string, error) {
	if o.protocol != server.Container && o.protocol != server.IMDS {
		return nil, "", usageError{fmt.Errorf("invalid --protocol %q (container or imds)", o.protocol)}
	}
	roles, err := o.roles()
	if err != nil {
		return nil, "", usageError{err}
	}
	if len(roles) == 0 {
		if err := g.maybePick(e); err != nil {
			return nil, "", err
		}
	}
	s := g.session(e)
	source := s.Credentials
	if len(roles) > 0 {
		p, err := s.AssumeRoles(roles...)
		if err != nil {
			return nil, "", err
		}
		source = (&creds.Refreshing{Provider: p}).Retrieve
	}
	if _, err := source(cmd.Context()); err != nil {
		return nil, "", err
	}
	region, _, err := s.Region()
	if err != nil {
		return nil, "", err
	}
	srv, err := server.New(o.protocol, source)
	if err != nil {
		return nil, "", err
	}
	srv.Audit = o.audit.start(e.stderr)
	if err := srv.Listen(o.listen); err != nil {
		return nil, "", usageError{err}
	}
	return srv, region, nil
}

// serverEnv is what a client needs to use srv, and what must be cleared so
// that nothing earlier in boto3's chain wins over it.
func serverEnv(srv *server.Server, region string) (set [][2]string, clear []string) {
	clear = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
		"AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CREDENTIAL_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}
	set = [][2]string{{"AWS_SHARED_CREDENTIALS_FILE", ""}, {"AWS_CONFIG_FILE", ""}}
	if srv.Protocol == server.IMDS {
		clear = append(clear, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_DISABLED")
		set = append(set, [2]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL()}, [2]string{"AWS_EC2_METADATA_V1_DISABLED", "true"})
	} else {
		set = append(set, [2]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL()}, [2]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN", srv.Token})
	}
	if region != "" {
		set = append(set, [2]string{"AWS_REGION", region}, [2]string{"AWS_DEFAULT_REGION", region})
	}
	return set, clear
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
