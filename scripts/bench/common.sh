# Shared by scripts/bench/run, profile and ab (sourced, not run): one place for the benchmark's
# Sluice config, so that every figure is of the same chain and part settings.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The issue's chain, partSize 8MiB, concurrency 4, everything else default, into the sink at
# SINK_URL. STORAGE_EXTRA adds storage settings for a one-off comparison (e.g. "checksum: md5").
bench_config() {
  cat <<YAML
storage: { type: s3, bucket: sink, endpoint: "$1", region: us-east-1, pathStyle: true, partSize: 8MiB, concurrency: 4${STORAGE_EXTRA:+, $STORAGE_EXTRA} }
routes:
  - { path: /upload, chain: bench }
chains:
  bench:
    - size-limit: { max: 2GiB }
    - magic: {}
    - hash: { algorithms: [sha256] }
YAML
}
