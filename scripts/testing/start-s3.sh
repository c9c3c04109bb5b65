#!/usr/bin/env bash
# Starts an S3 endpoint for the tests on a free 127.0.0.1 port and writes DIR/s3.env (exports
# for the tests) and DIR/s3.pid. Stop it with: kill "$(cat DIR/s3.pid)".
#
# - ../shared/s3/start-strict-moto.sh when present (CI): moto behind AWS-strict request checks.
# - otherwise plain moto_server with signature checks on. Plain moto wrongly refuses correctly
#   signed keys with + ! ' ( ) * % or non-ASCII, and checks no checksums: the tests that need a
#   faithful S3 say so and skip (SLUICE_TEST_S3_STRICT=0).
#
# usage: start-s3.sh DIR
set -euo pipefail
DIR=$(mkdir -p "${1:?usage: start-s3.sh DIR}" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../../.." && pwd)/shared
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AK=AKIAIOSFODNN7EXAMPLE
SK=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
BUCKET=uploads
REGION=us-east-1

if [ -x "$shared/s3/start-strict-moto.sh" ] && [ "${SLUICE_PLAIN_MOTO:-0}" != 1 ]; then
  STRICT_AK=$AK STRICT_SK=$SK STRICT_BUCKETS=$BUCKET STRICT_REGION=$REGION \
    "$shared/s3/start-strict-moto.sh" "$PORT" "$DIR/s3.pid" "$DIR/s3.log" >/dev/null
  STRICT=1
else
  moto_server -H 127.0.0.1 -p "$PORT" >"$DIR/s3.log" 2>&1 &
  echo $! >"$DIR/s3.pid"
  for _ in $(seq 150); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/moto-api/" && break; sleep 0.1; done
  # While auth is off any key works: create the user, its key and the bucket, then turn auth on.
  python3 "$here/moto_setup.py" "http://127.0.0.1:$PORT" "$BUCKET" "$REGION" >"$DIR/keys"
  read -r AK SK <"$DIR/keys"
  curl -sf -X POST -H 'Content-Type: text/plain' --data-binary 0 "http://127.0.0.1:$PORT/moto-api/reset-auth" >/dev/null
  STRICT=0
fi

cat >"$DIR/s3.env" <<ENV
export SLUICE_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT
export SLUICE_TEST_S3_BUCKET=$BUCKET
export SLUICE_TEST_S3_REGION=$REGION
export SLUICE_TEST_S3_ACCESS_KEY_ID=$AK
export SLUICE_TEST_S3_SECRET_ACCESS_KEY=$SK
export SLUICE_TEST_S3_STRICT=$STRICT
ENV
echo "S3 test endpoint: http://127.0.0.1:$PORT ($([ $STRICT = 1 ] && echo strict_moto || echo plain moto), pid $(cat "$DIR/s3.pid"))" >&2
