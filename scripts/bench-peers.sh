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
