"""The soak's verdicts. Each check returns a Check: a name, PASS/FAIL (or SKIP), and the evidence."""
import hashlib, re, time, zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
from botocore.config import Config

MiB = 1 << 20


@dataclass
class Check:
    name: str
    passed: bool | None          # None: skipped, or only information
    summary: str = ""
    evidence: list = field(default_factory=list)
    info: bool = False           # a comparison shown, never a failure

    @property
    def verdict(self):
        return "INFO" if self.info else "SKIP" if self.passed is None else "PASS" if self.passed else "FAIL"


def upstream_client(s3):
    """boto3 straight to the S3 endpoint, not through the fault proxy."""
    return boto3.client("s3", endpoint_url=s3["SLUICE_TEST_S3_ENDPOINT"], region_name=s3["SLUICE_TEST_S3_REGION"],
                        aws_access_key_id=s3["SLUICE_TEST_S3_ACCESS_KEY_ID"],
                        aws_secret_access_key=s3["SLUICE_TEST_S3_SECRET_ACCESS_KEY"],
                        config=Config(max_pool_connections=16, retries={"max_attempts": 5}, read_timeout=300))


# ---------------------------------------------------------------- what the clients saw

def label_of(status, answer):
    """The outcome label the server counts for an answer (Dispatcher.upload's early refusals,
    UploadHandler.failure for the rest)."""
    answer = answer if isinstance(answer, dict) else {}
    if status == 201:
        return "stored"
    if answer.get("filter"):
        return "rejected"
    return {413: "too_large", 408: "too_slow", 429: "too_many_uploads", 401: "unauthorized"}.get(status) or (
        ("disconnected" if "cut off before its end" in answer.get("message", "") else "malformed") if status == 400 else
        ("cancelled" if answer.get("error") == "shutting_down" else "overloaded") if status == 503 else "failed")


def stored_files(records):
    """(record, sent file, answered file) for every file of every 201."""
    for record in records:
        if record.get("status") != 201:
            continue
        answered = (record.get("answer") or {}).get("files") or []
        for sent in record["files"]:
            match = next((a for a in answered if a.get("field") == sent["field"] and a.get("filename") == sent["filename"]), None)
            yield record, sent, match


# ---------------------------------------------------------------- checks

def check_answers(records):
    """Every request got an answer it could expect, or hung up on purpose."""
    bad = []
    for r in records:
        if r["outcome"] == "lost":
            bad.append(f"{r['id']} {r['method']} {r['route']} ({r['kind']}, {r['files'][0]['size']} B, sent {r['bodySent']}): "
                       f"no answer: {r.get('error')}")
        elif r["outcome"] == "answered" and r.get("disconnectAt") is None and r["status"] not in r["expected"]:
            answer = r.get("answer") or {}
            bad.append(f"{r['id']} {r['method']} {r['route']} ({r['kind']}): {r['status']} {answer.get('error')}: "
                       f"{answer.get('message')} (expected {sorted(r['expected'])}; request id {r.get('requestId')})")
    answered = sum(r["outcome"] == "answered" for r in records)
    return Check("every request answered as expected (or hung up on purpose)", not bad,
                 f"{answered} answered, {sum(r['outcome'] == 'disconnected' for r in records)} hung up, {len(bad)} unexpected", bad)


def verify_objects(records, s3, workers=4):
    """Every 201 names objects that exist upstream with the bytes the client sent."""
    client = upstream_client(s3)
    bucket = s3["SLUICE_TEST_S3_BUCKET"]
    jobs = list(stored_files(records))
    problems, stored_bytes = [], [0]

    def verify(job):
        record, sent, answered = job
        where = f"{record['id']} {record['method']} {record['route']} {sent['filename']} ({sent['size']} B)"
        if answered is None:
            return [f"{where}: the 201 does not list this file"]
        issues = []
        if answered.get("bucket") != bucket:
            issues.append(f"{where}: bucket {answered.get('bucket')!r}")
        if answered.get("bytesReceived") != sent["size"]:
            issues.append(f"{where}: bytesReceived {answered.get('bytesReceived')} != sent {sent['size']}")
        if (answered.get("digests") or {}).get("sha256") != sent["sha256"]:
            issues.append(f"{where}: answer's sha256 {(answered.get('digests') or {}).get('sha256')} != sent {sent['sha256']}")
        try:
            obj = client.get_object(Bucket=bucket, Key=answered["key"])
        except client.exceptions.NoSuchKey:
            return issues + [f"{where}: key {answered['key']} is not in the bucket"]
        encoding = obj.get("ContentEncoding")
        if encoding != answered.get("contentEncoding"):
            issues.append(f"{where}: stored Content-Encoding {encoding!r} != answer's {answered.get('contentEncoding')!r}")
        digest, inflate, size = hashlib.sha256(), zlib.decompressobj(31) if encoding == "gzip" else None, 0
        for chunk in obj["Body"].iter_chunks(1 * MiB):
            size += len(chunk)
            digest.update(inflate.decompress(chunk) if inflate else chunk)
        if inflate:
            digest.update(inflate.flush())
        stored_bytes[0] += size
        if size != answered.get("size"):
            issues.append(f"{where}: stored {size} B != answer's size {answered.get('size')}")
        if digest.hexdigest() != sent["sha256"]:
            issues.append(f"{where}: key {answered['key']}: stored bytes{' (inflated)' if inflate else ''} have sha256 "
                          f"{digest.hexdigest()}, the client sent {sent['sha256']} (request id {record.get('requestId')})")
        return issues

    with ThreadPoolExecutor(workers) as pool:
        for issues in pool.map(verify, jobs):
            problems += issues
    check = Check("every 201 names objects in the bucket with the bytes sent", not problems,
                  f"{len(jobs)} objects, {stored_bytes[0] / MiB:.1f} MiB read back from upstream", problems)
    return check, stored_bytes[0]


def list_keys(client, bucket):
    keys = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.update(o["Key"] for o in page.get("Contents", []))
    return keys


def check_no_strays(records, s3):
    client = upstream_client(s3)
    named = {a["key"] for _, _, a in stored_files(records) if a}
    keys = list_keys(client, s3["SLUICE_TEST_S3_BUCKET"])
    strays = sorted(keys - named)
    return Check("nothing else is in the bucket", not strays, f"{len(keys)} objects, {len(strays)} that no 201 named",
                 [f"stray object {k}" for k in strays[:50]])


def check_no_uploads_left(s3, wait_seconds):
    """ListMultipartUploads upstream, polled for a while (aborts may still be in flight)."""
    client = upstream_client(s3)
    bucket = s3["SLUICE_TEST_S3_BUCKET"]
    deadline = time.monotonic() + wait_seconds
    while True:
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        if not uploads or time.monotonic() > deadline:
            break
        time.sleep(1)
    return Check("no multipart upload is left", not uploads, f"{len(uploads)} left after waiting up to {wait_seconds} s",
                 [f"upload {u['UploadId']} of {u['Key']} initiated {u.get('Initiated')}" for u in uploads[:50]])


def check_server_alive(watcher, exit_status, log_tail):
    evidence = []
    if watcher.died:
        evidence.append(f"the server exited on its own {watcher.died[0]} s into the run with status {watcher.died[1]}")
        evidence += log_tail
    elif exit_status != 0:
        evidence.append(f"after SIGTERM the server exited with status {exit_status} (expected 0)")
        evidence += log_tail
    return Check("the server never crashed and exited 0 after SIGTERM", not evidence,
                 f"exit status {exit_status if not watcher.died else watcher.died[1]}", evidence)


def check_rss(watcher, bound_mib):
    peak = watcher.peak_kib / 1024
    return Check("server RSS stayed under the documented bound", peak <= bound_mib,
                 f"peak {peak:.1f} MiB at {watcher.peak_at} s, bound {bound_mib} MiB", [] if peak <= bound_mib else
                 [f"VmRSS reached {peak:.1f} MiB at {watcher.peak_at} s into the run (bound: maxBufferedBytes + 50 MiB + 2 MiB x "
                  f"maxConcurrentUploads = {bound_mib} MiB; README's wording allows at most one more part, 8 MiB); samples in rss.csv"])


def check_stalls(faults, timeout, accepted):
    stalls = faults.get("stalls", [])
    if not accepted:
        return Check("the S3 timeout cut every stall short", None,
                     f"storage.timeout not accepted by this build; {sum(s['gaveUpAfter'] is not None for s in stalls)} of "
                     f"{len(stalls)} stalls cut short by the server")
    late = [s for s in stalls if s["gaveUpAfter"] is None or s["gaveUpAfter"] > timeout + 2]
    return Check("the S3 timeout cut every stall short", not late,
                 f"{len(stalls) - len(late)} of {len(stalls)} stalls ended by the server within timeout ({timeout} s) + 2 s",
                 [f"{s['op']} stalled {s['phase']}: the server " + ("waited the whole stall" if s["gaveUpAfter"] is None else
                  f"gave up after {s['gaveUpAfter']} s") for s in late])


# ---------------------------------------------------------------- metrics

def parse_metric(text, name):
    """{frozenset(labels): value} of one Prometheus counter."""
    values = {}
    for match in re.finditer(rf"^{name}\{{([^}}]*)\}} ([0-9.e+]+)$", text, re.M):
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        values[labels] = values.get(labels, 0) + float(match.group(2))
    return values


def parse_metric_plain(text, name):
    return [float(m.group(1)) for m in re.finditer(rf"^{name} ([0-9.e+-]+)$", text, re.M)]


def compare_s3_metrics(faults, metrics_text):
    """sluice_s3_requests_total against the S3 requests the proxy received, shown but not judged:
    it cannot be exact. The server counts every attempt, and one it cancels (its upload failed
    or its client left) counts as status "none" even when S3 answered it, when the proxy saw only
    part of its body, or when it was cancelled before it was sent at all (then the proxy never
    saw it). The start-up HeadBucket comes before the server's metrics watch the client."""
    server, by_status = {}, {}
    for labels, value in parse_metric(metrics_text, "sluice_s3_requests_total").items():
        d = dict(labels)
        server[d["operation"]] = server.get(d["operation"], 0) + int(value)
        by_status[(d["operation"], d["status"])] = int(value)
    proxy = {op: n for op, n in faults.get("requests", {}).items() if op != "HeadBucket"}
    diff = [f"{op}: server counted {server.get(op, 0)}, the proxy received {proxy.get(op, 0)}"
            for op in sorted(set(server) | set(proxy)) if server.get(op, 0) != proxy.get(op, 0)]
    answered = {(op, status): n for op, counts in faults.get("answered", {}).items() for status, n in counts.items() if op != "HeadBucket"}
    by = [f"{op} {status}: server {by_status.get((op, status), 0)}, proxy answered {answered.get((op, status), 0)}"
          for op, status in sorted(set(by_status) | set(answered)) if by_status.get((op, status), 0) != answered.get((op, status), 0)]
    return Check("/metrics s3_requests_total against the S3 requests the proxy received", None,
                 f"server {sum(server.values())}, proxy {sum(proxy.values())}; {len(diff)} operations and {len(by)} "
                 f"(operation, status) pairs differ (cancelled attempts)", diff + by, info=True)


def check_metrics(records, metrics_text):
    """sluice_uploads_total against the clients' own tally.

    The server counts every request to an upload route with the right method, once, when it
    ends (Dispatcher.upload; label from UploadHandler.failure). A client that got an answer knows
    its label exactly. A client that hung up mid-file cannot have been stored (the body never
    ended), but the server may have answered it first (a rejection, a storage failure) and counted
    that: so per label, server >= answered, and the surplus adds up to the hang-ups."""
    counted = {}
    for labels, value in parse_metric(metrics_text, "sluice_uploads_total").items():
        d = dict(labels)
        counted[(d["route"], d["outcome"])] = int(value)
    answered, hung_up = {}, {}
    for r in records:
        if r["outcome"] == "answered":
            key = (r["route"], label_of(r["status"], r.get("answer")))
            answered[key] = answered.get(key, 0) + 1
        elif r.get("connected", True):   # hung up or lost: the server saw the request, the client knows no label
            hung_up[r["route"]] = hung_up.get(r["route"], 0) + 1
    problems, lines = [], []
    for route in sorted({k[0] for k in counted} | {k[0] for k in answered} | set(hung_up)):
        labels = sorted({k[1] for k in counted if k[0] == route} | {k[1] for k in answered if k[0] == route})
        surplus = 0
        for label in labels:
            server, client = counted.get((route, label), 0), answered.get((route, label), 0)
            lines.append(f"{route} {label}: server {server}, clients answered {client}")
            if label == "stored" and server != client:
                problems.append(f"{route}: the server counted {server} stored, the clients got {client} 201s")
            elif server < client:
                problems.append(f"{route} {label}: the server counted {server}, the clients got {client} such answers")
            surplus += server - client
        if surplus != hung_up.get(route, 0):
            problems.append(f"{route}: {surplus} requests counted beyond the answers, but {hung_up.get(route, 0)} clients hung up "
                            f"or got no answer")
    gauge = sum(parse_metric_plain(metrics_text, "sluice_uploads_in_flight"))
    lines.append(f"sluice_uploads_in_flight after the traffic: {gauge:g}")
    if gauge != 0:
        problems.append(f"sluice_uploads_in_flight is {gauge:g} after every upload ended (an upload started but never counted as finished)")
    total_server = sum(counted.values())
    return Check("/metrics uploads_total matches what the clients saw", not problems,
                 f"server counted {total_server}, clients made {len(records)}", problems + lines)
