#!/usr/bin/env bash
# Builds this example as a user would (its own package, Sluice as a dependency), runs its tests,
# and checks both programs know `deny-word`: filterctl's verdicts and exit codes, and the server's
# answers over HTTP. CI runs it (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"
swift build
swift test
BIN=$(swift build --show-bin-path)

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-example.XXXXXX")
server_pid=
stop() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
fail() { echo "custom-filter example: $*" >&2; exit 1; }

printf 'a shopping list\nmilk\n' >"$work/clean.txt"
printf 'note to self: the password is hunter2\n' >"$work/secret.txt"

# filterctl: 0 for accepted, 1 for rejected, with the filter's reason.
"$BIN/sluice-filterctl" test --config sluice.yaml --chain notes "$work/clean.txt" >"$work/clean.out" || fail "filterctl rejected clean.txt: $(cat "$work/clean.out")"
grep -q "deny-word *not found" "$work/clean.out" || fail "filterctl did not report the filter's attribute: $(cat "$work/clean.out")"
status=0
"$BIN/sluice-filterctl" test --config sluice.yaml --chain notes "$work/secret.txt" >"$work/secret.out" || status=$?
[ "$status" = 1 ] || fail "filterctl exited $status for secret.txt, expected 1"
grep -q "deny-word: forbidden_word" "$work/secret.out" || fail "filterctl did not name the filter: $(cat "$work/secret.out")"

# The server, on a free port; it prints its URL once listening.
SLUICE_PORT=0 "$BIN/sluice-server" --config sluice.yaml >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url=
for _ in $(seq 300); do
  url=$(sed -n 's/^Sluice is listening on \(http:[^ ]*\)$/\1/p' "$work/server.out")
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server did not start: $(cat "$work/server.err")"
  sleep 0.1
done
[ -n "$url" ] || fail "the server did not say where it listens"

code=$(curl -s -o "$work/clean.json" -w '%{http_code}' -F "file=@$work/clean.txt;type=text/plain" "${url}notes")
[ "$code" = 201 ] || fail "clean.txt got HTTP $code: $(cat "$work/clean.json")"
grep -q '"attributes":{"deny-word":"not found"}' "$work/clean.json" || fail "the 201 lacks the filter's attribute: $(cat "$work/clean.json")"
code=$(curl -s -o "$work/secret.json" -w '%{http_code}' -F "file=@$work/secret.txt;type=text/plain" "${url}notes")
[ "$code" = 422 ] || fail "secret.txt got HTTP $code: $(cat "$work/secret.json")"
grep -q '"error":"forbidden_word"' "$work/secret.json" || fail "the 422 does not name the reason: $(cat "$work/secret.json")"
echo "custom-filter example: filterctl and server both apply deny-word (accept 201 / reject 422)"
