#!/usr/bin/env bash
# One command: the example app (http://127.0.0.1:5000/), Sluice in front of its uploads
# (http://127.0.0.1:8080) and a local S3 (moto, bucket "uploads"). Ctrl-C stops all three.
# env: SKIP_SETUP=1 to skip scripts/setup
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
cd "$root"
[ "${SKIP_SETUP:-0}" = 1 ] || bash scripts/setup
python3 -c 'import flask, jwt, standardwebhooks' 2>/dev/null || python3 -m pip install -q flask 'pyjwt[crypto]' standardwebhooks
swift build -c release --product UploadServer
BIN=$(swift build -c release --show-bin-path)/UploadServer

run=$(mktemp -d "${TMPDIR:-/tmp}/sluice-app.XXXXXX")
stop() {
  for name in sluice app moto; do [ -s "$run/$name.pid" ] && kill "$(cat "$run/$name.pid")" 2>/dev/null || true; done
  rm -rf "$run"
}
trap stop EXIT

# Secrets shared by the app and Sluice; a real deployment keeps its own in a secret store.
export SLUICE_TOKEN_SECRET=${SLUICE_TOKEN_SECRET:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')}
export SLUICE_WEBHOOK_SECRET=${SLUICE_WEBHOOK_SECRET:-whsec_$(python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')}

moto_server -H 127.0.0.1 -p 4566 >"$run/moto.log" 2>&1 &
echo $! >"$run/moto.pid"
for _ in $(seq 150); do curl -sf -o /dev/null http://127.0.0.1:4566/moto-api/ && break; sleep 0.1; done
curl -sf -X PUT http://127.0.0.1:4566/uploads >/dev/null

SLUICE_URL=http://127.0.0.1:8080 python3 "$here/app.py" >"$run/app.log" 2>&1 &
echo $! >"$run/app.pid"
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:5000/uploads && break; sleep 0.1; done

AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
  "$BIN" --config "$here/sluice.yaml" &
echo $! >"$run/sluice.pid"
echo "example app: http://127.0.0.1:5000/ (its uploads: http://127.0.0.1:5000/uploads)" >&2
wait "$(cat "$run/sluice.pid")"
