#!/usr/bin/env bash
# Peak RSS of `filterctl test` for a 1 MiB and a 1 GiB file through every chain below, into
# the discard sink: memory must not grow with file size (issue: bounded memory).
#
# usage: scripts/measure-memory.sh [BUILD_CONFIG]   (release by default; needs /usr/bin/time)
# env:   DATA_DIR (scratch for the test files, default $TMPDIR/sluice-mem)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${1:-release}
DATA_DIR=${DATA_DIR:-${TMPDIR:-/tmp}/sluice-mem}
mkdir -p "$DATA_DIR"

swift build -c "$CONFIGURATION" --product filterctl >&2
BIN=$(swift build -c "$CONFIGURATION" --show-bin-path)/filterctl

# Random bytes (nothing to compress) and text (the gzip chains compress it).
[ -s "$DATA_DIR/1m.bin" ] || head -c $((1 << 20)) /dev/urandom > "$DATA_DIR/1m.bin"
[ -s "$DATA_DIR/1g.bin" ] || head -c $((1 << 30)) /dev/urandom > "$DATA_DIR/1g.bin"
if [ ! -s "$DATA_DIR/1m.txt" ]; then
  # head closes the pipe early on purpose: base64's SIGPIPE is expected.
  (set +o pipefail; base64 -w 76 < "$DATA_DIR/1g.bin" | head -c $((1 << 30)) > "$DATA_DIR/1g.txt")
  head -c $((1 << 20)) "$DATA_DIR/1g.txt" > "$DATA_DIR/1m.txt"
fi

cat > "$DATA_DIR/chains.yaml" <<'YAML'
chains:
  size-limit:
    - size-limit: { max: 2GiB }
  magic:
    - magic: {}
  hash-all:
    - hash: { algorithms: [sha256, sha1, md5, crc32, crc32c] }
  gzip:
    - magic: {}
    - gzip: { types: ["*/*"] }
  full:
    - size-limit: { max: 2GiB }
    - magic: {}
    - disposition: {}
    - hash: { algorithms: [sha256] }
    - gzip: { types: ["*/*"] }
    - hash: { algorithms: [md5] }
YAML

peak_kib() { # FILE CHAIN -> "peak_kib seconds"
  /usr/bin/time -f "%M %e" -o "$DATA_DIR/time.out" "$BIN" test --config "$DATA_DIR/chains.yaml" --chain "$2" "$1" > /dev/null || true
  tail -n 1 "$DATA_DIR/time.out"   # time adds a line before it when the exit status is not 0
}

printf '| chain | input | 1 MiB peak RSS | 1 GiB peak RSS | growth | 1 GiB time |\n|---|---|---|---|---|---|\n'
for chain in size-limit magic hash-all gzip full; do
  for kind in bin txt; do
    read -r small _ < <(peak_kib "$DATA_DIR/1m.$kind" "$chain")
    read -r large secs < <(peak_kib "$DATA_DIR/1g.$kind" "$chain")
    printf '| %s | %s | %d KiB | %d KiB | %+d KiB | %ss |\n' "$chain" "$kind" "$small" "$large" $((large - small)) "$secs"
  done
done
