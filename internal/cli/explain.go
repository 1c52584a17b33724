//go:build !credchain_front

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/credchain/credchain/internal/profiles"
	"github.com/credchain/credchain/lint"
	"text/tabwriter"
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/keyfiles"
	"github.com/credchain/credchain/internal/keystore"
	"github.com/credchain/credchain/internal/timefmt"
	"github.com/spf13/cobra"
)

type explainOptions struct {
	json bool
}

func newExplainCmd(e *env, g *globals) *cobra.Command {
	o := &explainOptions{}
	cmd := &cobra.Command{
		Use: "explain",
		Example: `  credchain explain
  credchain explain --profile prod --json`,
		Short: "Show every credential source in boto3's order, and which one wins and why",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExplain(cmd, e, g, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

// explainJSON is the --json document.
type explainJSON struct {
	Profile     *string        `json:"profile"`
	Region      *string        `json:"region"`
	Method      *string        `json:"method"`
	AccessKeyID *string        `json:"access_key_id"`
	Expiration  *string        `json:"expiration"`
	Error       *errorJSON     `json:"error"`
	Providers   []providerJSON `json:"providers"`
	// MFASession is set when the keys come from credchain's store as an
	// MFA session.
	MFASession *mfaSessionJSON `json:"mfa_session,omitempty"`
	// SSOToken says, for an SSO profile, how its token will be refreshed
	// or that a login is needed.
	SSOToken *string `json:"sso_token,omitempty"`
	// Scope is what narrowed the profile's role (session policies, tags).
	Scope *scopeJSON `json:"scope,omitempty"`
}

type scopeJSON struct {
	PolicyARNs        []string        `json:"policy_arns,omitempty"`
	PolicyBytes       int             `json:"inline_policy_bytes,omitempty"`
	Tags              []credchain.Tag `json:"tags,omitempty"`
	TransitiveTagKeys []string        `json:"transitive_tag_keys,omitempty"`
	SourceIdentity    string          `json:"source_identity,omitempty"`
	From              string          `json:"from"`
}

type mfaSessionJSON struct {
	Serial      string `json:"mfa_serial"`
	Expiration  string `json:"expiration"`
	SecondsLeft int64  `json:"seconds_left"`
}

type errorJSON struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type providerJSON struct {
	Method string `json:"method"`
	Result string `json:"result"`
	Detail string `json:"detail"`
}

func runExplain(cmd *cobra.Command, e *env, g *globals, o *explainOptions) error {
	x := g.session(e).Explain(cmd.Context())
	profile := "default"
	if x.Profile != nil {
		profile = *x.Profile
	}
	// The token state is read only when the sso source applied (found or
	// failed): the files are not read again for other profiles.
	var token string
	for _, st := range x.Steps {
		if st.Method == "sso" && (st.Result == creds.ResultFound || st.Result == creds.ResultError) {
			if t := profiles.TokenOf(g.lookup(e), profile); t != nil {
				token = t.Describe(time.Now())
			}
		}
	}
	var out bytes.Buffer
	if o.json {
		doc := explainJSON{Profile: x.Profile, Region: x.Region, Providers: []providerJSON{}}
		if token != "" {
			doc.SSOToken = &token
		}
		if sc := x.Scope; sc != nil {
			doc.Scope = &scopeJSON{PolicyARNs: sc.PolicyARNs, PolicyBytes: len(sc.Policy), Tags: sc.Tags,
				TransitiveTagKeys: sc.TransitiveTagKeys, SourceIdentity: sc.SourceIdentity, From: x.ScopeFrom}
		}
		if c := x.Credentials; c != nil {
			doc.Method, doc.AccessKeyID = &c.Method, &c.AccessKeyID
			if c.CanExpire() {
				exp := timefmt.ISO(c.Expires)
				doc.Expiration = &exp
			}
			if sv, ok := served(e, x); ok && sv.MFASerial != "" && c.CanExpire() {
				doc.MFASession = &mfaSessionJSON{Serial: sv.MFASerial, Expiration: timefmt.ISO(c.Expires),
					SecondsLeft: int64(time.Until(c.Expires) / time.Second)}
			}
		}
		if x.Err != nil {
			doc.Error = &errorJSON{Type: credchain.ErrorKind(x.Err), Message: x.Err.Error()}
		}
		for _, s := range x.Steps {
			doc.Providers = append(doc.Providers, providerJSON{Method: s.Method, Result: s.Result, Detail: s.Detail})
		}
		enc := json.NewEncoder(&out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
	} else {
		writeExplanation(&out, x, time.Now())
		if x.Scope != nil {
			fmt.Fprintf(&out, "scope:            %s (from %s)\n", describeScope(*x.Scope), x.ScopeFrom)
		}
		if c := x.Credentials; c != nil && c.Method == "custom-process" {
			if p, _ := g.profileSection(e); p != nil {
				cmdline, _ := p.Get("credential_process")
				for _, a := range lint.HelperAdvice(cmdline) {
					fmt.Fprintf(&out, "helper:           %s; fix: %s\n", a[1], a[2])
				}
			}
		}
		if token != "" {
			fmt.Fprintf(&out, "SSO token:        %s\n", token)
		}
		if sv, ok := served(e, x); ok {
			backend := sv.Backend
			if backend == "" {
				backend = keystore.Default()
			}
			fmt.Fprintf(&out, "stored key:       in the %s store (credchain keys process)\n", backend)
			if c := x.Credentials; sv.MFASerial != "" && c.CanExpire() {
				fmt.Fprintf(&out, "MFA session:      %s, %s left: no MFA code until then, also for roles with this source_profile\n",
					sv.MFASerial, time.Until(c.Expires).Round(time.Minute))
			}
		}
	}
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		return err
	}
	if x.Err != nil {
		return exitError{ExitError}
	}
	return nil
}

// served says whether the winning credentials came from credchain's store
// (the profile's credential_process is credchain keys process).
func served(e *env, x *credchain.Explanation) (keyfiles.Served, bool) {
	if x.Err != nil || x.Credentials == nil || x.Credentials.Method != "custom-process" {
		return keyfiles.Served{}, false
	}
	profile := "default"
	if x.Profile != nil {
		profile = *x.Profile
	}
	return keyfiles.ServedBy(files(e), profile)
}

func writeExplanation(out *bytes.Buffer, x *credchain.Explanation, now time.Time) {
	if x.Profile != nil {
		fmt.Fprintf(out, "profile:          %q (from %s)\n", *x.Profile, x.ProfileFrom)
	} else {
		fmt.Fprintf(out, "profile:          none set (profile sources read [default])\n")
	}
	if x.Region != nil {
		fmt.Fprintf(out, "region:           %s (from %s)\n", *x.Region, x.RegionFrom)
	} else {
		fmt.Fprintf(out, "region:           none\n")
	}
	for _, f := range x.Files {
		state := "present"
		if !f.Exists {
			state = "absent"
		}
		fmt.Fprintf(out, "%-17s %s (%s, %s)\n", f.Role+" file:", f.Path, f.From, state)
	}
	out.WriteString("\nsources, in boto3's order:\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for i, s := range x.Steps {
		took := ""
		if s.Result != creds.ResultNotTried {
			took = s.Took.Round(time.Microsecond).String()
		}
		fmt.Fprintf(tw, "%3d. %s\t%s\t%s\t%s\n", i+1, s.Method, s.Result, took, s.Detail)
	}
	tw.Flush()
	out.WriteString("\n")
	if x.Err != nil {
		fmt.Fprintf(out, "result:           %s: %s\n", credchain.ErrorKind(x.Err), x.Err.Error())
		return
	}
	c := x.Credentials
	fmt.Fprintf(out, "result:           %s, access key %s", c.Method, creds.MaskKey(c.AccessKeyID))
	if c.SessionToken != "" {
		out.WriteString(", with session token")
	}
	if c.CanExpire() {
		fmt.Fprintf(out, ", expires %s (%s left)", timefmt.ISO(c.Expires), c.Expires.Sub(now).Round(time.Second))
	} else {
		out.WriteString(", no expiry")
	}
	out.WriteString("\n")
}
