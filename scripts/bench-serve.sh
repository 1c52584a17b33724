#!/usr/bin/env bash
# Load-tests `credchain serve` and its peer, a bare net/http server
# (bench/cmd/bareserve), both running, in alternating rounds: 64 connections
# on loopback until each has answered REQUESTS requests (wrk), then the
# throughput ratio and each server's resident memory at the end.
# Targets: throughput >= 0.9x the bare server's (issue 19); credchain's RSS
# <= 20 MB after 1M requests (issue 13).
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

# start KEY CMD...: starts a server and leaves its URL and token in
# $work/KEY.url and $work/KEY.token, its pid in $work/KEY.pid.
start() {
  local key=$1; shift
  HOME=$work AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=$work/none "$@" > "$work/$key.env" 2> /dev/null &
  local pid=$!
  pids+=("$pid")
  echo "$pid" > "$work/$key.pid"
  for _ in $(seq 100); do grep -q AUTHORIZATION_TOKEN "$work/$key.env" 2>/dev/null && break; sleep 0.05; done
  sed -n "s/^export AWS_CONTAINER_CREDENTIALS_FULL_URI='\(.*\)'$/\1/p" "$work/$key.env" > "$work/$key.url"
  sed -n "s/^export AWS_CONTAINER_AUTHORIZATION_TOKEN='\(.*\)'$/\1/p" "$work/$key.env" > "$work/$key.token"
  rss "$pid" > "$work/$key.rss0"
}

# round KEY: one 5 s wrk round against KEY; adds its requests to $work/KEY.total.
round() {
  local key=$1 out n
  out=$(wrk -t1 -c"$conns" -d5s -H "Authorization: $(cat "$work/$key.token")" "$(cat "$work/$key.url")")
  if grep -q 'Non-2xx' <<<"$out"; then echo "bench-serve: $key answered errors" >&2; exit 1; fi
  n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
  echo $(( $(cat "$work/$key.total" 2>/dev/null || echo 0) + n )) > "$work/$key.total"
}

# Both servers run at once and are loaded in alternating 5 s rounds until
# each has answered REQUESTS: the machine's drift (this VM's throughput
# moves by a fifth between minutes) falls on both alike.
echo "== serve: $conns connections until $requests requests each (wrk, alternating 5 s rounds) =="
start bare "$work/bareserve"
start credchain "$work/credchain" serve
rounds=0
while [ "$(cat "$work/bare.total" 2>/dev/null || echo 0)" -lt "$requests" ] || [ "$(cat "$work/credchain.total" 2>/dev/null || echo 0)" -lt "$requests" ]; do
  round bare
  round credchain
  rounds=$((rounds + 1))
done
printf '%-16s %10s %10s %10s %10s\n' server requests "req/s" "RSS start" "RSS after"
for key in bare credchain; do
  total=$(cat "$work/$key.total")
  printf '%-16s %10d %10d %10s %10s\n' "$([ $key = bare ] && echo 'bare net/http' || echo credchain)" "$total" $((total / (rounds * 5))) \
    "$(cat "$work/$key.rss0") MB" "$(rss "$(cat "$work/$key.pid")") MB"
done
bare_total=$(cat "$work/bare.total"); cc_total=$(cat "$work/credchain.total")
cc_rss=$(rss "$(cat "$work/credchain.pid")")
awk -v a="$cc_total" -v b="$bare_total" 'BEGIN { printf "  credchain / bare net/http throughput: %.2fx (target >= 0.9x): %s\n", a / b, (a / b >= 0.9 ? "met" : "NOT met") }'
awk -v r="$cc_rss" -v n="$requests" 'BEGIN { printf "  credchain RSS after %d requests: %.1f MB (target <= 20 MB): %s\n", n, r, (r <= 20 ? "met" : "NOT met") }'

echo
echo "== serve: STS calls against the credentials' lifetime (target: at most one a minute) =="
# A simulated clock (creds.TestBackgroundRefreshesShortCredentialsOncePerMinute):
# 30 minutes, a request every second, for each lifetime.
go test -count=1 -run '^TestBackgroundRefreshesShortCredentialsOncePerMinute$' -v ./creds | sed -n 's/.*background_test.go:[0-9]*: /  /p'
