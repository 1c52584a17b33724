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
  case "${1:-}" in
    ""|-h|--help)
      echo "usage: NAME PROFILE | NAME --role-arn ARN [--role-arn ARN ...] [flags] | NAME --profile-only PROFILE | NAME --unset" >&2
      return 2 ;;
    --unset)
      unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_ACCOUNT_ID AWS_REGION AWS_DEFAULT_REGION AWS_PROFILE AWS_DEFAULT_PROFILE CREDCHAIN_PROFILE
      return 0 ;;
    --profile-only)
      [ -n "${2:-}" ] || { echo "NAME: --profile-only needs a profile" >&2; return 2; }
      command credchain explain --profile "$2" >/dev/null || return $?
      unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_ACCOUNT_ID AWS_DEFAULT_PROFILE
      export AWS_PROFILE="$2" CREDCHAIN_PROFILE="$2"
      return 0 ;;
    -*)
      out=$(command credchain assume --format env "$@") || return $?
      eval "$out"
      export CREDCHAIN_PROFILE="role" ;;
    *)
      out=$(command credchain export --format env --profile "$@") || return $?
      eval "$out"
      export CREDCHAIN_PROFILE="$1" ;;
  esac
}
`

const fishInit = `# credchain shell integration (fish): credchain shell-init fish | source
function NAME --description 'switch AWS credentials with credchain'
    switch "$argv[1]"
        case '' -h --help
            echo "usage: NAME PROFILE | NAME --role-arn ARN [flags] | NAME --profile-only PROFILE | NAME --unset" >&2
            return 2
        case --unset
            set -e AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_ACCOUNT_ID AWS_REGION AWS_DEFAULT_REGION AWS_PROFILE AWS_DEFAULT_PROFILE CREDCHAIN_PROFILE
            return 0
        case --profile-only
            command credchain explain --profile $argv[2] >/dev/null; or return $status
            set -e AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_ACCOUNT_ID AWS_DEFAULT_PROFILE
            set -gx AWS_PROFILE $argv[2]
            set -gx CREDCHAIN_PROFILE $argv[2]
            return 0
        case '-*'
            set -l out (command credchain assume --format fish $argv); or return $status
            printf '%s\n' $out | source
            set -gx CREDCHAIN_PROFILE role
            return 0
        case '*'
            set -l out (command credchain export --format fish --profile $argv); or return $status
            printf '%s\n' $out | source
            set -gx CREDCHAIN_PROFILE $argv[1]
            return 0
    end
end
`

const pwshInit = `# credchain shell integration (PowerShell): credchain shell-init pwsh | Out-String | Invoke-Expression
function NAME {
    if ($args.Count -eq 0) { Write-Error "usage: NAME PROFILE | NAME --role-arn ARN | NAME --profile-only PROFILE | NAME --unset"; return }
    switch ($args[0]) {
        '--unset' {
            foreach ($v in 'AWS_ACCESS_KEY_ID','AWS_SECRET_ACCESS_KEY','AWS_SESSION_TOKEN','AWS_SECURITY_TOKEN','AWS_CREDENTIAL_EXPIRATION','AWS_ACCOUNT_ID','AWS_REGION','AWS_DEFAULT_REGION','AWS_PROFILE','AWS_DEFAULT_PROFILE','CREDCHAIN_PROFILE') { Remove-Item "Env:$v" -ErrorAction SilentlyContinue }
            return
        }
        '--profile-only' {
            & credchain explain --profile $args[1] | Out-Null
            if ($LASTEXITCODE -ne 0) { return }
            foreach ($v in 'AWS_ACCESS_KEY_ID','AWS_SECRET_ACCESS_KEY','AWS_SESSION_TOKEN','AWS_SECURITY_TOKEN','AWS_CREDENTIAL_EXPIRATION','AWS_ACCOUNT_ID','AWS_DEFAULT_PROFILE') { Remove-Item "Env:$v" -ErrorAction SilentlyContinue }
            $Env:AWS_PROFILE = $args[1]; $Env:CREDCHAIN_PROFILE = $args[1]
            return
        }
        { $_ -like '-*' } {
            $out = & credchain assume --format powershell @args
            if ($LASTEXITCODE -ne 0) { return }
            $out | Out-String | Invoke-Expression
            $Env:CREDCHAIN_PROFILE = 'role'
            return
        }
        default {
            $out = & credchain export --format powershell --profile @args
            if ($LASTEXITCODE -ne 0) { return }
            $out | Out-String | Invoke-Expression
            $Env:CREDCHAIN_PROFILE = $args[0]
        }
    }
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
  ccswitch --role-arn arn:aws:iam::123456789012:role/Admin
  ccswitch --profile-only dev                # AWS_PROFILE only: SDKs refresh by themselves
  ccswitch --unset

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
