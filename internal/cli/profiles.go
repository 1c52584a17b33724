package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/credchain/credchain/internal/profiles"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/credchain/credchain/internal/timefmt"
	"github.com/spf13/cobra"
)

type profilesOptions struct {
	json bool
	tree bool
}

func newProfilesCmd(e *env) *cobra.Command {
	o := &profilesOptions{}
	cmd := &cobra.Command{
		Use: "profiles",
		Example: `  credchain profiles
  credchain profiles --tree
  credchain profiles --json`,
		Short: "List every profile of the config and credentials files, its kind and where it is defined",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runProfiles(e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON object")
	cmd.Flags().BoolVar(&o.tree, "tree", false, "print the source_profile graph: each role down to the credentials it assumes from")
	return cmd
}

type profileJSON struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Method  *string  `json:"method"`
	Defined []string `json:"defined"`
	// SSOToken is an SSO profile's token state.
	SSOToken *ssoTokenJSON `json:"sso_token,omitempty"`
}

type ssoTokenJSON struct {
	Session     string  `json:"sso_session,omitempty"`
	StartURL    string  `json:"sso_start_url"`
	Found       bool    `json:"found"`
	ExpiresAt   *string `json:"expires_at"`
	SecondsLeft int64   `json:"seconds_left"`
	Refreshable bool    `json:"refreshable"`
	Status      string  `json:"status"`
}

type ignoredJSON struct {
	Header string `json:"header"`
	Where  string `json:"where"`
	Reason string `json:"reason"`
}

// runTree streams the trees, one at a time.
func runTree(e *env) error {
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	var write func(n profiles.Node, prefix string)
	write = func(n profiles.Node, prefix string) {
		line := n.Name + "  " + n.Kind
		if n.Detail != "" {
			line += " " + n.Detail
		}
		if n.Cycle {
			line += "  (cycle: already on this path)"
		}
		fmt.Fprintln(out, prefix+line)
		if n.Source != nil {
			indent := strings.Repeat(" ", len([]rune(prefix)))
			write(*n.Source, indent+"└── ")
		}
	}
	if err := profiles.WalkTree(e.lookup, func(root profiles.Node) error {
		write(root, "")
		return nil
	}); err != nil {
		return err
	}
	return out.Flush()
}

// runProfiles streams the listing: nothing is kept per profile, so a
// config of a million profiles lists in memory about its own size.
func runProfiles(e *env, o *profilesOptions) error {
	if o.tree {
		return runTree(e)
	}
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	now := time.Now()
	var err error
	if o.json {
		err = profilesJSON(e, out, now)
	} else {
		err = profilesTable(e, out, now)
	}
	if err != nil {
		return err
	}
	return out.Flush()
}

// profilesJSON writes {"profiles": [...], "ignored": [...]} as one indented
// JSON document, a profile at a time.
func profilesJSON(e *env, out *bufio.Writer, now time.Time) error {
	out.WriteString("{\n  \"profiles\": [")
	n := 0
	ignored, err := profiles.Walk(e.lookup, func(p profiles.Info) error {
		pj := profileJSON{Name: p.Name, Kind: p.Kind, Defined: p.Defined}
		if p.Method != "" {
			m := p.Method
			pj.Method = &m
		}
		if t := p.SSO; t != nil {
			tj := &ssoTokenJSON{Session: t.Session, StartURL: t.StartURL, Found: t.Found, Refreshable: t.Refreshable, Status: t.Describe(now)}
			if t.Found {
				exp := timefmt.ISO(t.ExpiresAt)
				tj.ExpiresAt, tj.SecondsLeft = &exp, max(0, int64(t.ExpiresAt.Sub(now)/time.Second))
			}
			pj.SSOToken = tj
		}
		n++
		return writeElement(out, n, pj)
	})
	if err != nil {
		return err
	}
	closeArray(out, n)
	out.WriteString(",\n  \"ignored\": [")
	for i, ig := range ignored {
		if err := writeElement(out, i+1, ignoredJSON(ig)); err != nil {
			return err
		}
	}
	closeArray(out, len(ignored))
	_, err = out.WriteString("\n}\n")
	return err
}

// writeElement writes the nth element (from 1) of an array at depth 2 of a
// document indented by two spaces.
func writeElement(out *bufio.Writer, n int, v any) error {
	b, err := json.MarshalIndent(v, "    ", "  ")
	if err != nil {
		return err
	}
	if n > 1 {
		out.WriteByte(',')
	}
	out.WriteString("\n    ")
	_, err = out.Write(b)
	return err
}

func closeArray(out *bufio.Writer, n int) {
	if n > 0 {
		out.WriteString("\n  ")
	}
	out.WriteByte(']')
}

// profilesTable writes the aligned table: a first walk measures the
// columns, a second writes the rows (text/tabwriter would keep every cell).
func profilesTable(e *env, out *bufio.Writer, now time.Time) error {
	kindCell := func(p profiles.Info) string {
		if p.SSO != nil {
			return p.Kind + " (" + p.SSO.Describe(now) + ")"
		}
		return p.Kind
	}
	const gap = 2
	nameW, kindW := utf8.RuneCountInString("PROFILE"), utf8.RuneCountInString("KIND")
	list, err := profiles.Read(e.lookup)
	if err != nil {
		return err
	}
	if _, err := list.Walk(func(p profiles.Info) error {
		nameW = max(nameW, utf8.RuneCountInString(p.Name))
		kindW = max(kindW, utf8.RuneCountInString(kindCell(p)))
		return nil
	}); err != nil {
		return err
	}
	row := func(name, kind, defined string) error {
		out.WriteString(name)
		out.WriteString(strings.Repeat(" ", nameW+gap-utf8.RuneCountInString(name)))
		out.WriteString(kind)
		out.WriteString(strings.Repeat(" ", kindW+gap-utf8.RuneCountInString(kind)))
		out.WriteString(defined)
		return out.WriteByte('\n')
	}
	if err := row("PROFILE", "KIND", "DEFINED AT"); err != nil {
		return err
	}
	ignored, err := list.Walk(func(p profiles.Info) error {
		return row(p.Name, kindCell(p), strings.Join(p.Defined, ", "))
	})
	if err != nil {
		return err
	}
	for _, i := range ignored {
		fmt.Fprintf(out, "ignored: [%s] at %s: %s\n", i.Header, i.Where, i.Reason)
	}
	return nil
}
