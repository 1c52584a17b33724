package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

const bashInit = `# credchain shell integration (bash, zsh): eval "$(credchain shell-init bash)"
NAME() {
  local out
  out=$(command credchain switch --shell bash "$@") || return $?
  eval "$out"
}
# NAME <TAB>: profile names and flags, from credchain's own completion.
_NAME_complete() {
  local IFS=$'\n' w
  COMPREPLY=()
  for w in $(command credchain __completeNoDesc switch --shell bash "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null); do
    case $w in :*) ;; *) COMPREPLY+=("$w") ;; esac
  done
}
if [ -n "${BASH_VERSION-}" ]; then complete -F _NAME_complete NAME; fi
if [ -n "${ZSH_VERSION-}" ]; then eval '
_NAME_zsh() {
  local -a c
  c=("${(@f)$(command credchain __completeNoDesc switch --shell zsh "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -- ${c:#:*}
}
(( ${+functions[compdef]} )) && compdef _NAME_zsh NAME'
fi
`

const fishInit = `# credchain shell integration (fish): credchain shell-init fish | source
function NAME --description 'switch AWS credentials with credchain'
    set -l out (command credchain switch --shell fish $argv); or return $status
    printf '%s\n' $out | source
end
# NAME <TAB>: profile names (with their kind) and flags, from credchain's own completion.
complete -c NAME -f -a '(set -l w (commandline -opc); command credchain __complete switch --shell fish $w[2..-1] (commandline -ct) 2>/dev/null | string match -v -r "^:")'
`

const pwshInit = `# credchain shell integration (PowerShell): credchain shell-init pwsh | Out-String | Invoke-Expression
function NAME {
    $out = & credchain switch --shell pwsh @args
    if ($LASTEXITCODE -ne 0) { return }
    $out | Out-String | Invoke-Expression
}
`

// validFuncName: letters, digits and _, not starting with a digit.
func validFuncName(n string) bool {
	for i, c := range n {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return n != ""
}

func newShellInitCmd(e *env) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use: "shell-init bash|zsh|fish|pwsh",
		Example: `  eval "$(credchain shell-init bash)" && ccswitch dev
  credchain shell-init fish --name awsp | source`,
		Short: "Print a shell function that switches the current shell's AWS credentials",
		Long: `Print a function (default name: ccswitch) that switches the current shell to a
profile or a role and back, with every value quoted for the shell and the variables
that would shadow the credentials cleared:

  eval "$(credchain shell-init bash)"        # in ~/.bashrc or ~/.zshrc
  credchain shell-init fish | source         # in config.fish
  credchain shell-init pwsh | Out-String | Invoke-Expression

  ccswitch dev                               # keys of profile dev
  ccswitch dev --region eu-west-1
  ccswitch --role-arn arn:aws:iam::123456789012:role/Admin
  ccswitch --profile-only dev                # AWS_PROFILE only: SDKs refresh by themselves
  ccswitch --unset                           # back to what the shell had before
  ccswitch                                   # pick a profile on the terminal

The function runs 'credchain switch' (see its help) and evaluates what it prints.

'credchain prompt' prints the active profile and the time left, for a prompt.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validFuncName(name) {
				return usageError{fmt.Errorf("invalid --name %q: use letters, digits and _", name)}
			}
			var tmpl string
			switch args[0] {
			case "bash", "zsh", "sh":
				tmpl = bashInit
			case "fish":
				tmpl = fishInit
			case "pwsh", "powershell":
				tmpl = pwshInit
			default:
				return usageError{fmt.Errorf("unknown shell %q (bash, zsh, fish, pwsh)", args[0])}
			}
			_, err := fmt.Fprint(e.stdout, strings.ReplaceAll(tmpl, "NAME", name))
			return err
		},
	}
	cmd.Flags().StringVar(&name, "name", "ccswitch", "name of the function")
	return cmd
}

func newPromptCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "prompt",
		Example: `  PS1='$(credchain prompt) \$ '`,
		Short:   "Print the active profile and time left, for a shell prompt (no AWS call)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name, _ := e.lookup("CREDCHAIN_PROFILE")
			if name == "" {
				name, _ = e.lookup("AWS_PROFILE")
			}
			if name == "" {
				return nil
			}
			out := name
			if exp, ok := e.lookup("AWS_CREDENTIAL_EXPIRATION"); ok && exp != "" {
				if t, err := time.Parse(time.RFC3339, exp); err == nil {
					if left := time.Until(t); left > 0 {
						out += " " + left.Round(time.Minute).String()
					} else {
						out += " expired"
					}
				}
			}
			_, err := fmt.Fprintln(e.stdout, strings.TrimSuffix(strings.TrimSuffix(out, "0s"), "0m"))
			return err
		},
	}
}
