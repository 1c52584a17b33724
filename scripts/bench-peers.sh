#!/usr/bin/env bash
# Resolves one static profile as a whole process with credchain, aws-sdk-go-v2
# (LoadDefaultConfig + Retrieve) and boto3, side by side in one run, on a
# 20,000-profile configuration and on a one-profile configuration (against a
# Go hello-world). Prints median wall time, peak RSS and ratios.
#   RUNS=10 BOTO_RUNS=3 scripts/bench-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
boto_runs=${BOTO_RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/big" "$work/one"
CGO_ENABLED=0 go build -o "$work/bin/credchain" ./cmd/credchain
go build -o "$work/bin/sdkpeer" ./bench/cmd/sdkpeer
go build -o "$work/bin/hello" ./bench/cmd/hello
go build -o "$work/bin/peers" ./bench/cmd/peers
go build -o "$work/bin/fakests" ./bench/cmd/fakests
big=$(go run ./bench/cmd/genconfig "$work/big" 20000)
one=$(go run ./bench/cmd/genconfig "$work/one" 1)

run() { # dir profile
  local dir=$1 p=$2
  export HOME=$dir AWS_CONFIG_FILE=$dir/config AWS_SHARED_CREDENTIALS_FILE=$dir/credentials \
    AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=$dir/none
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  echo "== $(du -ch "$dir/config" "$dir/credentials" | tail -1 | cut -f1) of config, profile $p =="
}

run "$work/big" "$big"
"$work/bin/peers" -runs "$runs" -ref credchain \
  "credchain=$work/bin/credchain export --profile $big --format process" \
  "aws-sdk-go-v2=$work/bin/sdkpeer $big"
"$work/bin/peers" -runs "$boto_runs" -ref credchain \
  "credchain=$work/bin/credchain export --profile $big --format process" \
  "boto3=python3 -c 'import boto3; print(boto3.Session(profile_name=\"$big\").get_credentials().get_frozen_credentials().access_key)'"

run "$work/one" "$one"
"$work/bin/peers" -runs "$runs" -ref hello \
  "hello=$work/bin/hello" \
  "credchain=$work/bin/credchain export --profile $one --format process" \
  "aws-sdk-go-v2=$work/bin/sdkpeer $one"

# Switch role with a warm cache: credchain and the AWS CLI v2 read the cache
# (no STS call); boto3 has no disk cache and calls STS every time (a local
# recording STS answers it).
"$work/bin/fakests" -for 10m > "$work/sts.log" &
sts_pid=$!
trap 'kill $sts_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/sts.log" ] && break; sleep 0.1; done
sts_url=$(head -1 "$work/sts.log")
mkdir -p "$work/role/.aws"
cat > "$work/role/.aws/config" <<CFG
[profile r]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/Bench
source_profile = base
[profile base]
aws_access_key_id = AKIABENCH
aws_secret_access_key = bench-secret
CFG
export HOME=$work/role AWS_CONFIG_FILE=$work/role/.aws/config AWS_SHARED_CREDENTIALS_FILE=$work/role/.aws/credentials \
  AWS_ENDPOINT_URL_STS=$sts_url/ AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=$work/none
"$work/bin/credchain" export --profile r > /dev/null   # warms the cache
sleep 0.2
warm_calls=$(grep -c '^CALL' "$work/sts.log" || true)
echo "== switch role, warm cache (profile r) =="
peers=("credchain=$work/bin/credchain export --profile r")
if [ -x /usr/bin/aws ] && /usr/bin/aws --version 2>&1 | grep -q '^aws-cli/2'; then
  peers+=("aws-cli-v2=/usr/bin/aws configure export-credentials --profile r")
fi
peers+=("boto3=python3 -c 'import boto3; boto3.Session(profile_name=\"r\").get_credentials().get_frozen_credentials()'")
"$work/bin/peers" -runs "$boto_runs" -ref credchain "${peers[@]}"
sleep 0.2
total=$(grep -c '^CALL' "$work/sts.log" || true)
echo "STS calls: $warm_calls to warm the cache, then $((total - warm_calls)) during the runs (boto3 makes one per run; credchain and the AWS CLI none)"
