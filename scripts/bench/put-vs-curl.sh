#!/usr/bin/env bash
# Throughput and peak RSS of `filterctl put` (release) of one file into the blackhole S3
# (../shared/bench/s3-sink.sh: nginx that answers the S3 calls and drops the bytes), beside
# `curl -T` of the same file straight into that sink: the ceiling. MB = 10^6 bytes.
#
# usage: scripts/bench/put-vs-curl.sh [SIZE_MIB (1024)] [RUNS (3)]
# needs: nginx (apt-get install nginx-light), /usr/bin/time, ../shared/bench/s3-sink.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/common.sh
SIZE_MIB=${1:-1024}
RUNS=${2:-3}
SINK_SCRIPT=${SINK_SCRIPT:-../shared/bench/s3-sink.sh}
DATA_DIR=${DATA_DIR:-${TMPDIR:-/tmp}/sluice-bench}
mkdir -p "$DATA_DIR"
[ -x "$SINK_SCRIPT" ] || { echo "needs $SINK_SCRIPT (the shared blackhole S3)" >&2; exit 2; }

swift build -c release --product filterctl >&2
BIN=$(swift build -c release --show-bin-path)/filterctl
FILE="$DATA_DIR/put-$SIZE_MIB.bin"
[ -s "$FILE" ] || head -c $((SIZE_MIB << 20)) /dev/urandom > "$FILE"
cat "$FILE" > /dev/null   # page cache: measure the uploader, not the disk

PORT=$(free_port)
SINK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-sink.XXXXXX")
"$SINK_SCRIPT" "$PORT" "$SINK_DIR" >&2
trap 'kill "$(cat "$SINK_DIR/nginx.pid")" 2>/dev/null; rm -rf "$SINK_DIR"' EXIT

bench_config "http://127.0.0.1:$PORT" > "$DATA_DIR/put.yaml"
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
bytes=$((SIZE_MIB << 20))
curl_rates=(); put_rates=(); put_rss=()
for r in $(seq "$RUNS"); do
  t=$(curl -s -o /dev/null -w '%{time_total}' -T "$FILE" "http://127.0.0.1:$PORT/sink/curl-$r.bin")
  curl_rates+=("$(awk -v b=$bytes -v t="$t" 'BEGIN{printf "%.1f", b / 1e6 / t}')")
  /usr/bin/time -f "%e %M" -o "$DATA_DIR/time.out" "$BIN" put --config "$DATA_DIR/put.yaml" "$FILE" > "$DATA_DIR/put.out"
  read -r secs kib < <(tail -n 1 "$DATA_DIR/time.out")
  put_rates+=("$(awk -v b=$bytes -v t="$secs" 'BEGIN{printf "%.1f", b / 1e6 / t}')")
  put_rss+=("$kib")
  echo "run $r: curl -T ${curl_rates[-1]} MB/s; filterctl put ${put_rates[-1]} MB/s (${secs}s wall, process start included), peak RSS $((kib / 1024)) MiB" >&2
done
printf '| %s MiB | curl -T (ceiling) | filterctl put | put / ceiling | put peak RSS |\n|---|---|---|---|---|\n' "$SIZE_MIB"
c=$(printf '%s\n' "${curl_rates[@]}" | median); p=$(printf '%s\n' "${put_rates[@]}" | median); m=$(printf '%s\n' "${put_rss[@]}" | median)
printf '| median of %s | %s MB/s | %s MB/s | %s%% | %s MiB |\n' "$RUNS" "$c" "$p" "$(awk -v a="$p" -v b="$c" 'BEGIN{printf "%.0f", 100 * a / b}')" "$((${m%.*} / 1024))"
