package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credchain/credchain"
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

func runTree(e *env) error {
	roots, err := credchain.ProfileTree(e.lookup)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	var write func(n credchain.TreeNode, prefix string)
	write = func(n credchain.TreeNode, prefix string) {
		line := n.Name + "  " + n.Kind
		if n.Detail != "" {
			line += " " + n.Detail
		}
		if n.Cycle {
			line += "  (cycle: already on this path)"
		}
		fmt.Fprintln(&out, prefix+line)
		if n.Source != nil {
			indent := strings.Repeat(" ", len([]rune(prefix)))
			write(*n.Source, indent+"└── ")
		}
	}
	for _, r := range roots {
		write(r, "")
	}
	_, err = e.stdout.Write(out.Bytes())
	return err
}

func runProfiles(e *env, o *profilesOptions) error {
	if o.tree {
		return runTree(e)
	}
	profiles, ignored, err := credchain.Profiles(e.lookup)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	now := time.Now()
	if o.json {
		doc := struct {
			Profiles []profileJSON `json:"profiles"`
			Ignored  []ignoredJSON `json:"ignored"`
		}{Profiles: []profileJSON{}, Ignored: []ignoredJSON{}}
		for _, p := range profiles {
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
			doc.Profiles = append(doc.Profiles, pj)
		}
		for _, i := range ignored {
			doc.Ignored = append(doc.Ignored, ignoredJSON(i))
		}
		enc := json.NewEncoder(&out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PROFILE\tKIND\tDEFINED AT")
		for _, p := range profiles {
			kind := p.Kind
			if p.SSO != nil {
				kind += " (" + p.SSO.Describe(now) + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, kind, strings.Join(p.Defined, ", "))
		}
		tw.Flush()
		for _, i := range ignored {
			fmt.Fprintf(&out, "ignored: [%s] at %s: %s\n", i.Header, i.Where, i.Reason)
		}
	}
	_, err = e.stdout.Write(out.Bytes())
	return err
}
