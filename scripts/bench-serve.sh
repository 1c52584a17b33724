#!/usr/bin/env bash
# Load-tests `credchain serve` and its peer, a bare net/http server
# (bench/cmd/bareserve), one after the other in one run: 64 connections on
# loopback until each has answered REQUESTS requests (wrk, in rounds), then
# the throughput ratio and each server's resident memory at the end.
# Target (issue 13): credchain's RSS <= 20 MB after 1M requests.
#   REQUESTS=1000000 CONNS=64 scripts/bench-serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${REQUESTS:-1000000}
conns=${CONNS:-64}
if ! command -v wrk >/dev/null; then
  echo "bench-serve: wrk is needed (apt-get install wrk)" >&2
  exit 1
fi
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/.aws"
printf '[default]\nregion = us-east-1\naws_access_key_id = AKIABENCHSERVE\naws_secret_access_key = bench-secret\n' > "$work/.aws/config"
flags=(-trimpath -ldflags="-s -w")
# credchain as installed: the front hands serve to credchain-aws (exec: the
# same process, whose memory is measured).
CGO_ENABLED=0 go build "${flags[@]}" -tags credchain_front -o "$work/credchain" ./cmd/credchain
CGO_ENABLED=0 go build "${flags[@]}" -o "$work/credchain-aws" ./cmd/credchain-aws
CGO_ENABLED=0 go build "${flags[@]}" -o "$work/bareserve" ./bench/cmd/bareserve

rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

# load KEY LABEL CMD...: starts the server, loads it, prints one line and
# leaves "requests/s RSS-after" in $work/KEY.
load() {
  local key=$1 name=$2; shift 2
  HOME=$work AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=$work/none "$@" > "$work/$key.env" 2> /dev/null &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do grep -q AUTHORIZATION_TOKEN "$work/$key.env" 2>/dev/null && break; sleep 0.05; done
  local url token
  url=$(sed -n "s/^export AWS_CONTAINER_CREDENTIALS_FULL_URI='\(.*\)'$/\1/p" "$work/$key.env")
  token=$(sed -n "s/^export AWS_CONTAINER_AUTHORIZATION_TOKEN='\(.*\)'$/\1/p" "$work/$key.env")
  local start total=0 secs=0
  start=$(rss "$pid")
  while [ "$total" -lt "$requests" ]; do
    local out n
    out=$(wrk -t1 -c"$conns" -d10s -H "Authorization: $token" "$url")
    n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
    if grep -q 'Non-2xx' <<<"$out"; then echo "bench-serve: $name answered errors" >&2; exit 1; fi
    total=$((total + n)); secs=$((secs + 10))
  done
  local after; after=$(rss "$pid")
  kill "$pid"
  printf '%-16s %10d %10d %10s %10s\n' "$name" "$total" $((total / secs)) "$start MB" "$after MB"
  echo "$((total / secs)) $after" > "$work/res-$key"
}

echo "== serve: $conns connections until $requests requests each (wrk, 10 s rounds) =="
printf '%-16s %10s %10s %10s %10s\n' server requests "req/s" "RSS start" "RSS after"
load bare "bare net/http" "$work/bareserve"
load credchain credchain "$work/credchain" serve
read -r bare_rps _ < "$work/res-bare"
read -r cc_rps cc_rss < "$work/res-credchain"
awk -v a="$cc_rps" -v b="$bare_rps" 'BEGIN { printf "  credchain / bare net/http throughput: %.2fx\n", a / b }'
awk -v r="$cc_rss" -v n="$requests" 'BEGIN { printf "  credchain RSS after %d requests: %.1f MB (target <= 20 MB): %s\n", n, r, (r <= 20 ? "met" : "NOT met") }'

echo
echo "== serve: STS calls against the credentials' lifetime (target: at most one a minute) =="
# A simulated clock (creds.TestBackgroundRefreshesShortCredentialsOncePerMinute):
# 30 minutes, a request every second, for each lifetime.
go test -count=1 -run '^TestBackgroundRefreshesShortCredentialsOncePerMinute$' -v ./creds | sed -n 's/.*background_test.go:[0-9]*: /  /p'
