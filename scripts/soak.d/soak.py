#!/usr/bin/env python3
"""Fault soak for UploadServer: proves that, with S3 failing in every way it can, the server loses
nothing, leaves nothing behind, keeps its memory bound and its books straight.

Run through `scripts/soak`, which starts the S3 endpoint (start-s3.sh) and stops everything on exit.
This part starts the fault proxy (scripts/testing/fault_s3.py) in front of that S3, UploadServer
(release build) pointed at the proxy, then many concurrent clients for the duration: multipart
POSTs and raw PUTs of 0 B to 200 MiB, generated from a seeded PRNG as a stream and hashed while
sent; some hang up mid-body, some are slow, some send what the strict route refuses. Then:

  1. every 201 names objects that exist upstream (read directly, not through the proxy) with the
     bytes sent (SHA-256; gzip-encoded objects are inflated first) — an answered upload is stored;
  2. nothing else is in the bucket — a refused, failed or abandoned upload left no object;
  3. no multipart upload is left — every abort happened despite the faults;
  4. the server never crashed, and exited 0 after SIGTERM;
  5. its RSS (VmRSS every 0.5 s) stayed under README's bound: maxBufferedBytes + 50 MiB +
     2 MiB x maxConcurrentUploads;
  6. /metrics' sluice_uploads_total agrees with what the clients saw (exact for 201s and totals);
  7. every request got an answer its client could expect (or hung up on purpose);
  8. when the build takes storage.timeout: the server gave up on every stalled S3 request.

Given --seed, the workload (each client's sequence of requests and their bytes) and the proxy's
sequence of fault draws are fixed; which S3 request a fault lands on depends on timing.
Artifacts (report.md, requests.jsonl, server.log, s3-requests.jsonl, rss.csv, metrics.txt) go
to --out.
"""
import argparse, json, os, sys, threading, time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks, services, workload  # noqa: E402
from workload import MiB  # noqa: E402

FAULTS = {"p-500": 0.02, "p-503": 0.02, "p-429": 0.01, "p-reset": 0.02, "p-stall": 0.01, "p-lost-complete": 0.15}


def parse_args():
    p = argparse.ArgumentParser(description="Fault soak for UploadServer (see the module docstring).")
    p.add_argument("--duration", type=float, help="seconds of client traffic (default 600, --short 40)")
    p.add_argument("--short", action="store_true", help="CI mode: ~40 s of traffic, files up to 64 MiB")
    p.add_argument("--seed", type=int, default=20261201)
    p.add_argument("--clients", type=int, default=14)
    p.add_argument("--timeout", type=float, default=5, help="storage.timeout (S3 idle timeout, s); dropped if refused")
    p.add_argument("--bin", required=True, help="UploadServer binary")
    p.add_argument("--s3-env", required=True, help="s3.env written by start-s3.sh")
    p.add_argument("--out", required=True)
    for name, default in FAULTS.items():
        p.add_argument(f"--{name}", type=float, default=default)
    args = p.parse_args()
    args.duration = args.duration or (40 if args.short else 600)
    return args


def log(message):
    print(f"soak: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- traffic

class Traffic:
    """The client threads and their records (also appended to requests.jsonl as they end)."""

    def __init__(self, args, server, pools):
        self.args, self.server, self.pools = args, server, pools
        self.records, self.lock = [], threading.Lock()
        self.stop = threading.Event()
        self.journal = open(os.path.join(args.out, "requests.jsonl"), "w", buffering=1)
        self.grace = 20 if args.short else 90
        self.limits = {"max_size": (64 if args.short else 200) * MiB, "slow_seconds": 12 if args.short else 60}

    def client_loop(self, number, deadline, client):
        rng = workload.random.Random(f"{self.args.seed}/client/{number}")
        limits = dict(self.limits, client=number)
        count = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            plan = workload.make_plan(rng, count, limits)
            record = client.run(plan)
            record["expected"] = sorted(plan.expected_statuses())
            with self.lock:
                self.records.append(record)
                self.journal.write(json.dumps(record) + "\n")
            count += 1

    def run(self, watcher, proxy):
        started = time.monotonic()
        deadline = started + self.args.duration
        client = workload.Client(self.server.host, self.server.port, self.pools, stop_sending_at=deadline + self.grace)
        threads = [threading.Thread(target=self.client_loop, args=(i, deadline, client), daemon=True) for i in range(self.args.clients)]
        for t in threads:
            t.start()
        next_report = started + 10
        # Bounded: sending stops at deadline + grace; an answer is awaited at most 300 s more.
        hard_end = deadline + self.grace + 330
        while any(t.is_alive() for t in threads) and time.monotonic() < hard_end:
            time.sleep(0.5)
            if time.monotonic() >= next_report:
                next_report += 10
                self.progress(started, watcher, proxy)
        if any(t.is_alive() for t in threads):
            log("some clients did not finish in time; their requests are not in the records")
        return time.monotonic() - started

    def progress(self, started, watcher, proxy):
        with self.lock:
            outcomes = Counter(r.get("status", r["outcome"]) for r in self.records)
            sent = sum(r["bodySent"] for r in self.records)
        try:
            faults = sum(proxy.counts()["faults"].values())
        except OSError:
            faults = "?"
        log(f"{time.monotonic() - started:5.0f} s: {sum(outcomes.values())} requests {dict(sorted(outcomes.items(), key=str))}, "
            f"{sent / MiB:.0f} MiB sent, RSS peak {watcher.peak_kib / 1024:.0f} MiB, {faults} faults injected")


# ---------------------------------------------------------------- the end

def settle(server, watcher, seconds):
    """Waits until the server has no upload in flight (their aborts and rollbacks run before the answer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not watcher.died:
        try:
            if server.in_flight() == 0:
                return True
        except OSError:
            return False
        time.sleep(0.5)
    return False


def figures(args, records, traffic_seconds, wall, faults, metrics_text, watcher, stored_bytes):
    status = Counter(str(r.get("status")) if r["outcome"] == "answered" else r["outcome"] for r in records)
    stored = [r for r in records if r.get("status") == 201]
    s3_server = checks.parse_metric(metrics_text, "sluice_s3_requests_total") if metrics_text else {}
    by_op = Counter()
    for labels, value in s3_server.items():
        by_op[dict(labels)["operation"]] += int(value)
    return {
        "seed": args.seed, "mode": "short" if args.short else "full", "clients": args.clients,
        "traffic seconds": round(traffic_seconds, 1), "wall seconds": round(wall, 1),
        "requests": len(records),
        "requests by status": dict(sorted(status.items())),
        "kinds": dict(sorted(Counter(r["kind"] for r in records).items())),
        "slow / hung up / 100-continue": f"{sum(bool(r['slow']) for r in records)} / "
                                         f"{sum(r['outcome'] == 'disconnected' for r in records)} / "
                                         f"{sum(r['expectContinue'] for r in records)}",
        "uploads stored (201s, files)": f"{len(stored)}, {sum(len(r['files']) for r in stored)}",
        "MiB sent (request bodies)": round(sum(r["bodySent"] for r in records) / MiB, 1),
        "MiB of files in 201s": round(sum(f["size"] for r in stored for f in r["files"]) / MiB, 1),
        "MiB stored (read back)": round(stored_bytes / MiB, 1),
        "largest stored file (MiB)": round(max([f["size"] for r in stored for f in r["files"]] or [0]) / MiB, 1),
        "faults injected": dict(sorted(faults.get("faults", {}).items())),
        "S3 requests (proxy saw)": dict(sorted(faults.get("requests", {}).items())),
        "S3 requests (server counted)": dict(sorted(by_op.items())),
        "stalls cut short by the server": f"{sum(s['gaveUpAfter'] is not None for s in faults.get('stalls', []))} of "
                                          f"{len(faults.get('stalls', []))}",
        "peak RSS (MiB)": round(watcher.peak_kib / 1024, 1),
        "RSS bound (MiB)": services.RSS_BOUND_MIB,
    }


def write_report(args, facts, results, timeout_note):
    lines = ["# Sluice fault soak", "", f"`scripts/soak --seed {args.seed}{' --short' if args.short else ''} --duration {args.duration:g}`"
             f" against `{args.bin}`; {timeout_note}.", "", "| figure | value |", "|---|---|"]
    for name, value in facts.items():
        text = ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else str(value)
        lines.append(f"| {name} | {text} |")
    lines += ["", "| check | verdict | |", "|---|---|---|"]
    for c in results:
        lines.append(f"| {c.name} | **{c.verdict}** | {c.summary} |")
    for title, shown in (("Failures", [c for c in results if c.passed is False]),
                         ("Information", [c for c in results if c.info and c.evidence])):
        if shown:
            lines += ["", f"## {title}", ""]
        for c in shown:
            lines += [f"### {c.name}", "", "```"] + [str(e) for e in c.evidence[:40]] + ["```", ""]
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def print_report(facts, results):
    print("\n== figures")
    for name, value in facts.items():
        print(f"  {name:32} {value}")
    print("\n== checks")
    for c in results:
        print(f"  {c.verdict:4}  {c.name}: {c.summary}")
        if c.passed is False or (c.info and c.evidence):
            for line in c.evidence[:25]:
                print(f"          {line}")
            if len(c.evidence) > 25:
                print(f"          ... {len(c.evidence) - 25} more in report.md")


def log_tail(out, n=15):
    try:
        return ["server.log: " + line for line in open(os.path.join(out, "server.log")).read().splitlines()[-n:]]
    except OSError:
        return []


def main():
    args = parse_args()
    wall_started = time.monotonic()
    s3 = services.read_env_file(args.s3_env)
    pools = workload.Pools(args.seed)
    proxy = services.FaultProxy(args.out, s3["SLUICE_TEST_S3_ENDPOINT"], args.seed,
                                dict({k: getattr(args, k.replace("-", "_")) for k in FAULTS}, **{
                                    "stall-seconds": args.timeout + 3, "cleanup-max-faults": 2}))
    server = None
    try:
        server = services.Server(args.bin, args.out, s3, proxy.url, {"storage.timeout": f"{args.timeout:g}", "server.maxUploadsPerClient": 0})
        timeout_accepted = server.accepted("storage.timeout")
        timeout_note = (f"storage.timeout {args.timeout:g} s" if timeout_accepted else
                        "storage.timeout refused by this build (default S3 timeout)")
        timeout_note += "".join(f"; {name} refused by this build" for name in server.dropped if name != "storage.timeout")
        log(f"S3 {s3['SLUICE_TEST_S3_ENDPOINT']} (strict: {s3.get('SLUICE_TEST_S3_STRICT')}), fault proxy {proxy.url}, "
            f"server {server.url} (pid {server.process.pid}); {timeout_note}; {args.clients} clients for {args.duration:g} s, seed {args.seed}")
        traffic = Traffic(args, server, pools)
        watcher = services.Watcher(server, args.out, on_death=traffic.stop.set)
        watcher.start()
        traffic_seconds = traffic.run(watcher, proxy)
        records = list(traffic.records)
        log(f"traffic done after {traffic_seconds:.0f} s: {len(records)} requests; settling")
        settle(server, watcher, 120)
        metrics_text = ""
        if not watcher.died:
            try:
                metrics_text = server.metrics()
            except OSError as error:
                log(f"no /metrics: {error}")
        with open(os.path.join(args.out, "metrics.txt"), "w") as f:
            f.write(metrics_text)
        faults = proxy.counts()
        with open(os.path.join(args.out, "faults.json"), "w") as f:
            json.dump(faults, f, indent=1)
        watcher.stopping.set()
        watcher.join(2)
        exit_status = services.stop(server.process, timeout=40)
        log(f"server stopped (exit status {exit_status}); checking the bucket")

        results = [checks.check_answers(records)]
        object_check, stored_bytes = checks.verify_objects(records, s3)
        results += [object_check, checks.check_no_strays(records, s3), checks.check_no_uploads_left(s3, 10),
                    checks.check_server_alive(watcher, exit_status, log_tail(args.out)),
                    checks.check_rss(watcher, services.RSS_BOUND_MIB)]
        results.append(checks.check_metrics(records, metrics_text) if metrics_text else
                       checks.Check("/metrics uploads_total matches what the clients saw", False, "no /metrics (server gone)"))
        if metrics_text:
            results.append(checks.compare_s3_metrics(faults, metrics_text))
        results.append(checks.check_stalls(faults, args.timeout, timeout_accepted))
        facts = figures(args, records, traffic_seconds, time.monotonic() - wall_started, faults, metrics_text, watcher, stored_bytes)
        print_report(facts, results)
        write_report(args, facts, results, timeout_note)
        failed = [c.name for c in results if c.passed is False]
        print(f"\n{'FAIL' if failed else 'PASS'}: {len(results) - len(failed)} of {len(results)} checks passed "
              f"(seed {args.seed}; report in {os.path.join(args.out, 'report.md')})")
        return 1 if failed else 0
    finally:
        if server is not None:
            services.stop(server.process, timeout=40)
        services.stop(proxy.process)


if __name__ == "__main__":
    sys.exit(main())
