package cli

import (
	"bufio"
	"fmt"
	"github.com/credchain/credchain/internal/profiles"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/proc"
	"golang.org/x/term"
)

// pickCandidate is one line of the picker.
type pickCandidate struct {
	name, kind, account string
}

// recentFile keeps the profiles picked, most recent first.
func recentFile(e *env) string {
	return filepath.Join(awsconfig.ExpandUser("~", e.lookup), ".aws", "credchain", "recent")
}

func readRecent(e *env) []string {
	data, err := os.ReadFile(recentFile(e))
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

// remember puts name first in the recent list (best effort).
func remember(e *env, name string) {
	list := []string{name}
	for _, n := range readRecent(e) {
		if n != name && len(list) < 50 {
			list = append(list, n)
		}
	}
	path := recentFile(e)
	if os.MkdirAll(filepath.Dir(path), 0o700) != nil {
		return
	}
	_ = atomicfile.Write(path, []byte(strings.Join(list, "\n")+"\n"), 0o600)
}

// candidates orders profiles with kind and account, most recently used first.
func candidates(e *env, infos []profiles.Info) []pickCandidate {
	rank := map[string]int{}
	for i, n := range readRecent(e) {
		rank[n] = i + 1
	}
	out := make([]pickCandidate, 0, len(infos))
	for _, p := range infos {
		out = append(out, pickCandidate{name: p.Name, kind: p.Kind, account: p.Account})
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank[out[i].name], rank[out[j].name]
		switch {
		case ri > 0 && rj > 0:
			return ri < rj
		default:
			return ri > 0 && rj == 0
		}
	})
	return out
}

// fuzzy reports whether every rune of query appears in s, in order.
func fuzzy(s, query string) bool {
	s, query = strings.ToLower(s), strings.ToLower(query)
	for _, r := range query {
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+len(string(r)):]
	}
	return true
}

// pickProfile runs the interactive picker on the terminal: type to filter,
// arrows to move, Enter to choose, Esc or Ctrl-C to cancel.
func pickProfile(e *env, infos []profiles.Info, in *os.File, out io.Writer) (string, error) {
	all := candidates(e, infos)
	if len(all) == 0 {
		return "", fmt.Errorf("no profiles to pick from: pass --profile")
	}
	old, err := term.MakeRaw(int(in.Fd()))
	if err != nil {
		return "", err
	}
	defer term.Restore(int(in.Fd()), old)
	const rows = 10
	query, sel := "", 0
	r := bufio.NewReader(in)
	drawn := 0
	for {
		var shown []pickCandidate
		for _, c := range all {
			if fuzzy(c.name+" "+c.kind+" "+c.account, query) {
				shown = append(shown, c)
			}
		}
		if sel >= len(shown) {
			sel = max(0, len(shown)-1)
		}
		// Redraw: clear what was drawn, then the prompt and up to rows lines.
		var b strings.Builder
		for i := 0; i < drawn; i++ {
			b.WriteString("\x1b[1A\x1b[2K")
		}
		b.WriteString("\r\x1b[2K")
		fmt.Fprintf(&b, "profile> %s\r\n", query)
		n := min(rows, len(shown))
		for i := 0; i < n; i++ {
			mark := "  "
			if i == sel {
				mark = "> "
			}
			line := fmt.Sprintf("%s%-30s %-32s %s", mark, shown[i].name, shown[i].kind, shown[i].account)
			fmt.Fprintf(&b, "%s\r\n", strings.TrimRight(line, " "))
		}
		drawn = n + 1
		_, _ = io.WriteString(out, b.String())
		c, err := r.ReadByte()
		if err != nil {
			return "", err
		}
		switch c {
		case 3, 27: // Ctrl-C, Esc (arrow keys start with Esc [)
			if c == 27 && r.Buffered() >= 2 {
				b1, _ := r.ReadByte()
				b2, _ := r.ReadByte()
				if b1 == '[' && b2 == 'A' && sel > 0 {
					sel--
				} else if b1 == '[' && b2 == 'B' && sel < n-1 {
					sel++
				}
				continue
			}
			return "", fmt.Errorf("no profile picked")
		case '\r', '\n':
			if len(shown) == 0 {
				continue
			}
			remember(e, shown[sel].name)
			return shown[sel].name, nil
		case 127, 8:
			if query != "" {
				query = query[:len(query)-1]
			}
		case 14: // Ctrl-N
			if sel < n-1 {
				sel++
			}
		case 16: // Ctrl-P
			if sel > 0 {
				sel--
			}
		default:
			if c >= 32 && c < 127 {
				query += string(c)
				sel = 0
			}
		}
	}
}

// mayPick reports whether the picker may ask for a profile: none was named
// (no argument, --profile, AWS_PROFILE or AWS_DEFAULT_PROFILE), and a person
// is there to answer: stdin and stderr are the terminal and the process is
// in its foreground (a background job drawing on the terminal is stopped).
func (g *globals) mayPick(e *env) (*os.File, bool) {
	if g.profileSelected(e) {
		return nil, false
	}
	in, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil, false
	}
	if errf, ok := e.stderr.(*os.File); !ok || !term.IsTerminal(int(errf.Fd())) || !proc.Foreground() {
		return nil, false
	}
	return in, true
}

// pickAfter returns whether the picker ran and chose a profile after a
// resolution that failed with err: only when the chain, run as boto3 would,
// found nothing at all (NoCredentialsError), never over keys in the
// environment or a profile that resolves.
func (g *globals) pickAfter(e *env, err error) (bool, error) {
	if credchain.ErrorKind(err) != creds.KindNoCredentials {
		return false, nil
	}
	return g.pick(e)
}

// pick asks for a profile on the terminal when the picker may ask.
func (g *globals) pick(e *env) (bool, error) {
	in, ok := g.mayPick(e)
	if !ok {
		return false, nil
	}
	if front {
		// The full build picks: a profile picked here whose resolution
		// then needed it would be asked for twice.
		return false, errFullBuild
	}
	infos, _, perr := profiles.All(e.lookup)
	if perr != nil || len(infos) == 0 {
		return false, nil
	}
	name, perr := pickProfile(e, infos, in, e.stderr)
	if perr != nil {
		return false, perr
	}
	g.profile, g.profileSet = name, true
	return true, nil
}
