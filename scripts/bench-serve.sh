#!/usr/bin/env bash
# Load-tests `credchain serve` on loopback: 64 concurrent connections for 10
# seconds (wrk when installed, else bench/cmd/serveload), then reports the
# server's resident memory after the run and after a further run (flat
# memory means no growth). Bounded in time; traffic stays on 127.0.0.1.
#   DURATION=10s CONNS=64 scripts/bench-serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10s}
conns=${CONNS:-64}
work=$(mktemp -d)
mkdir -p "$work/.aws"
printf '[default]\nregion = us-east-1\naws_access_key_id = AKIABENCHSERVE\naws_secret_access_key = bench-secret\n' > "$work/.aws/config"
CGO_ENABLED=0 go build -o "$work/credchain" ./cmd/credchain
HOME=$work AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=$work/none ${SERVER_ENV:-} "$work/credchain" serve > "$work/env" 2> /dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q AUTHORIZATION_TOKEN "$work/env" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n "s/^export AWS_CONTAINER_CREDENTIALS_FULL_URI='\(.*\)'$/\1/p" "$work/env")
token=$(sed -n "s/^export AWS_CONTAINER_AUTHORIZATION_TOKEN='\(.*\)'$/\1/p" "$work/env")
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status; }
echo "server RSS at start: $(rss)"
for round in 1 2; do
  if command -v wrk >/dev/null; then
    wrk -t"${THREADS:-1}" -c"$conns" -d"$duration" --latency -H "Authorization: $token" "$url" | grep -E 'Requests/sec|Latency|50%|99%|requests in'
  else
    echo "(wrk not installed: in-process Go load generator)"
    go run ./bench/cmd/serveload -c "$conns" -d "$duration"
  fi
  echo "server RSS after round $round: $(rss)"
done
