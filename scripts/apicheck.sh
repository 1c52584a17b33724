#!/usr/bin/env bash
# apicheck: the library's exported API (every non-internal package) against
# the last v0.x tag, with golang.org/x/exp's apidiff (pinned in
# tools/apidiff). Compatible additions are listed; every incompatible
# change must be named in the CHANGELOG's Unreleased section, or this
# fails. BASE=REV compares against another revision.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
module=$(go list -m)
base=${BASE:-$(git describe --tags --abbrev=0 --match 'v0.*' 2>/dev/null || true)}
if [[ -z $base ]]; then
	echo "apicheck: no v0.x tag in this clone (git fetch --tags): nothing to compare against" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
go -C tools/apidiff build -o "$tmp/apidiff" golang.org/x/exp/cmd/apidiff
git worktree add --quiet --detach "$tmp/base" "$base"
(cd "$tmp/base" && "$tmp/apidiff" -m -w "$tmp/base.api" "$module" 2>&1 | { grep -v "^Ignoring internal package" || true; } >&2)
"$tmp/apidiff" -m "$tmp/base.api" "$module" 2>"$tmp/err" >"$tmp/report" || true
grep -v "^Ignoring internal package" "$tmp/err" >&2 || true
echo "apicheck: API changes since $base:"
sed 's/^/  /' "$tmp/report"
# The Unreleased section: from its heading to the next release's.
unreleased=$(awk '/^## Unreleased/{on=1; next} /^## /{on=0} on' CHANGELOG.md)
missing=0
section=""
while IFS= read -r line; do
	case $line in
	"Incompatible changes:") section=incompatible; continue ;;
	"Compatible changes:") section=compatible; continue ;;
	\#\ *) continue ;; # a package's heading
	esac
	[[ $section == incompatible && $line == "- "* ]] || continue
	name=${line#- }
	name=${name%%:*}
	name=${name##*.}
	if ! grep -qwF -- "$name" <<<"$unreleased"; then
		echo "apicheck: incompatible change not in CHANGELOG.md's Unreleased section: $line" >&2
		missing=1
	fi
done <"$tmp/report"
exit $missing
