#!/usr/bin/env bash
# Runs credchain and its peers as whole processes, side by side in one run,
# and prints each figure of issue 13 as a ratio against the peer or floor
# measured in the same run, with its target:
#   1. completion of a profile name at 20,000 profiles vs one export
#   2. start-up: `credchain prompt` and a one-profile export vs a Go
#      hello-world built the same way (static, trimmed, stripped), and the
#      package init time GODEBUG=inittrace=1 reports
#   3. 20,000 profiles vs aws-sdk-go-v2, boto3 and the floor program
#   4. profiles (also --tree), lint, explain and completion at 1k, 10k, 100k and 1M
#      profiles: time and peak RSS against the size of the files
#   and a switch of role with a warm cache against the AWS CLI and boto3.
#   RUNS=10 BOTO_RUNS=3 SIZES="1000 10000 100000 1000000" scripts/bench-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
boto_runs=${BOTO_RUNS:-3}
sizes=${SIZES:-1000 10000 100000 1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/big" "$work/one"
# Every Go program is built the way `make build` builds credchain: static,
# trimmed, stripped; credchain is its two binaries side by side, the front
# (no AWS clients) and credchain-aws, which the front runs for whatever
# calls AWS (internal/cli/handover.go).
build() { CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" "${@:3}" -o "$work/bin/$1" "./$2"; }
build credchain cmd/credchain -tags credchain_front
build credchain-aws cmd/credchain-aws
build sdkpeer bench/cmd/sdkpeer
build hello bench/cmd/hello
build floor bench/cmd/floor
build fakests bench/cmd/fakests
go build -o "$work/bin/peers" ./bench/cmd/peers
cc=$work/bin/credchain
peers=$work/bin/peers
big=$(go run ./bench/cmd/genconfig "$work/big" 20000)
one=$(go run ./bench/cmd/genconfig "$work/one" 1)

use() { # dir: the environment every command of a section runs in
  export HOME=$1 AWS_CONFIG_FILE=$1/config AWS_SHARED_CREDENTIALS_FILE=$1/credentials \
    AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=$1/none
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY GOGC GOMEMLIMIT
}
size() { du -cb "$1/config" "$1/credentials" | tail -1 | cut -f1; }

use "$work/big"
echo "== 1. completion, 20,000 profiles ($(size "$work/big") bytes of config) =="
"$peers" -runs "$runs" -ref export \
  -target 'complete/export<=1.5' -target 'rss:complete<=10' \
  "export=$cc export --profile $big --format process" \
  "complete=$cc __complete export --profile p0100"

use "$work/one"
echo
echo "== 2. start-up, one profile =="
"$peers" -runs "$((runs * 3))" -ref hello \
  -target 'prompt/hello<=1.8' -target 'export/hello<=1.8' \
  "hello=$work/bin/hello" \
  "prompt=$cc prompt" \
  "export=$cc export --profile $one --format process" \
  "aws-sdk-go-v2=$work/bin/sdkpeer $one" \
  "full-prompt=$work/bin/credchain-aws prompt" \
  "full-export=$work/bin/credchain-aws export --profile $one --format process"
echo "  (full-*: the same commands in credchain-aws, which links the AWS clients)"
for b in credchain credchain-aws; do
  GODEBUG=inittrace=1 "$work/bin/$b" prompt 2>&1 >/dev/null | awk -v b="$b" '
    /^init / { total += $5; if ($2 ~ /aws-sdk-go-v2\/service\//) sdk += $5; if ($2 == "runtime") rt = $5 }
    END { printf "  package init of %s prompt (inittrace): %.2f ms in all, %.2f ms of it aws-sdk-go-v2 service packages, %.2f ms the Go runtime\n", b, total, sdk, rt }'
done

use "$work/big"
echo
echo "== 3. one profile of 20,000 ($(size "$work/big") bytes of config) =="
"$peers" -runs "$runs" -ref credchain \
  -target 'credchain/floor<=2' -target 'aws-sdk-go-v2/credchain>=10' \
  "floor=$work/bin/floor" \
  "credchain=$cc export --profile $big --format process" \
  "aws-sdk-go-v2=$work/bin/sdkpeer $big"
"$peers" -runs "$boto_runs" -ref credchain -target 'boto3/credchain>=300' \
  "credchain=$cc export --profile $big --format process" \
  "boto3=python3 -c 'import boto3; print(boto3.Session(profile_name=\"$big\").get_credentials().get_frozen_credentials().access_key)'"

echo
echo "== 4. memory and time against the size of the files (target: peak RSS <= 3x the files) =="
printf '%-9s %10s  %-10s %9s %10s %9s %12s\n' profiles "file MB" command time "peak RSS" "RSS/file" "ms per MB"
for n in $sizes; do
  dir=$work/scale-$n
  mkdir -p "$dir"
  target=$(go run ./bench/cmd/genconfig "$dir" "$n")
  chmod 600 "$dir/config" "$dir/credentials" # as lint asks: no finding, exit 0
  use "$dir"
  bytes=$(size "$dir")
  r=$(( n >= 1000000 ? 1 : (n >= 100000 ? 2 : 5) ))
  "$peers" -runs "$r" \
    "profiles=$cc profiles" \
    "tree=$cc profiles --tree" \
    "lint=$cc lint" \
    "explain=$cc explain --profile $target" \
    "completion=$cc __complete export --profile p0001" | awk -v n="$n" -v b="$bytes" '
    NR > 1 {
      t = $2; ms = t + 0
      if (t ~ /µs$/) ms /= 1000; else if (t ~ /ms$/) ms += 0; else if (t ~ /s$/) ms *= 1000
      rss = $3 + 0; mb = b / 1048576
      printf "%-9s %10.1f  %-10s %9s %8.1fMB %8.2fx %12.2f\n", n, mb, $1, t, rss, rss / mb, ms / mb
    }'
  rm -rf "$dir"
done

# Switch role with a warm cache: credchain and the AWS CLI v2 read the cache
# (no STS call); boto3 has no disk cache and calls STS every time (a local
# recording STS answers it).
"$work/bin/fakests" -for 10m > "$work/sts.log" &
sts_pid=$!
trap 'kill $sts_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/sts.log" ] && break; sleep 0.1; done
sts_url=$(head -1 "$work/sts.log")
mkdir -p "$work/role"
cat > "$work/role/config" <<CFG
[profile r]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/Bench
source_profile = base
[profile base]
aws_access_key_id = AKIABENCH
aws_secret_access_key = bench-secret
CFG
use "$work/role"
export AWS_ENDPOINT_URL_STS=$sts_url/
"$cc" export --profile r > /dev/null   # warms the cache
sleep 0.2
warm_calls=$(grep -c '^CALL' "$work/sts.log" || true)
echo
echo "== switch role, warm cache (profile r) =="
cmds=("credchain=$cc export --profile r")
if [ -x /usr/bin/aws ] && /usr/bin/aws --version 2>&1 | grep -q '^aws-cli/2'; then
  cmds+=("aws-cli-v2=/usr/bin/aws configure export-credentials --profile r")
fi
cmds+=("boto3=python3 -c 'import boto3; boto3.Session(profile_name=\"r\").get_credentials().get_frozen_credentials()'")
"$peers" -runs "$boto_runs" -ref credchain "${cmds[@]}"
sleep 0.2
total=$(grep -c '^CALL' "$work/sts.log" || true)
echo "STS calls: $warm_calls to warm the cache, then $((total - warm_calls)) during the runs (boto3 makes one per run; credchain and the AWS CLI none)"
