#!/usr/bin/env python3
"""A fault-injecting S3 proxy for soak tests: it sits between UploadServer and an S3 endpoint
and, with a seeded random generator, breaks some of the upload requests the way a real S3 (or
the network in front of it) sometimes does.

usage: fault_s3.py UPSTREAM_URL [--seed N] [--log FILE] [--p-500 P] [--p-503 P] [--p-429 P]
                   [--p-reset P] [--p-stall P] [--stall-seconds S] [--p-lost-complete P]
                   [--cleanup-max-faults N]

Per S3 request of an upload (PutObject, CreateMultipartUpload, UploadPart,
CompleteMultipartUpload, AbortMultipartUpload, DeleteObject) one draw decides at most one fault:

  error500       the body is read, then 500 InternalError (the connection stays usable)
  error503       likewise, 503 SlowDown
  error429       likewise, 429 SlowDown
  reset          UploadPart/PutObject only: part of the body is read, then the connection is
                 reset (RST) without an answer
  stall          nothing more is read or written for --stall-seconds (set it above the server's
                 S3 timeout); half of the stalls begin before the body is read, half after it.
                 Then the connection is closed. The proxy notes whether the server gave up
                 (closed its end) before the stall ended, and after how long.
  lost_complete  CompleteMultipartUpload only (--p-lost-complete, drawn separately): forwarded,
                 so the object IS completed upstream, then the connection is reset without the
                 answer.

Everything else is forwarded byte for byte (the Host header included, so SigV4 signatures still
verify upstream), one upstream connection per request, bodies streamed in 64 KiB pieces: memory
stays small however large the bodies are. Start-up calls (HeadBucket, ...) are never faulted.

Cleanup calls (AbortMultipartUpload, DeleteObject) get at most --cleanup-max-faults faults in a
row for the same resource (default 2, the server's `retries`): S3 here is flaky, not down, so
the server's retries can always clean up, and anything left behind is the server's doing.

The order in which requests arrive depends on timing, so the seed fixes the sequence of fault
draws, not which request each one lands on.

Prints its port on stdout, then serves until SIGTERM. GET /__faults answers the counts as JSON:
{"requests": {op: n}, "faults": {kind: n}, "faultsByOperation": {op: {kind: n}},
 "stalls": [{"op", "phase", "gaveUpAfter"|null}],
 "answered": {op: {status|"none": n}}} (what the server got: an injected or upstream status, or none).
--log FILE writes one JSON line per S3 request (op, method, path, fault, upstream status).
"""
import argparse, json, random, signal, socket, struct, sys, threading, time
from urllib.parse import urlsplit

CHUNK = 64 << 10
UPLOAD_OPS = {"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload", "DeleteObject"}
CLEANUP_OPS = {"AbortMultipartUpload", "DeleteObject"}
BODY_OPS = {"PutObject", "UploadPart"}
ERRORS = {"error500": (500, "InternalError", "Internal Error"), "error503": (503, "SlowDown", "Service Unavailable"),
          "error429": (429, "SlowDown", "Too Many Requests")}


class Closed(Exception):
    """The peer closed the connection."""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("upstream")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log")
    p.add_argument("--p-500", type=float, default=0.02)
    p.add_argument("--p-503", type=float, default=0.02)
    p.add_argument("--p-429", type=float, default=0.01)
    p.add_argument("--p-reset", type=float, default=0.02)
    p.add_argument("--p-stall", type=float, default=0.005)
    p.add_argument("--stall-seconds", type=float, default=8.0)
    p.add_argument("--p-lost-complete", type=float, default=0.1)
    p.add_argument("--cleanup-max-faults", type=int, default=2)
    return p.parse_args(argv)


def operation(method, target):
    """The S3 operation of a path-style request."""
    path, _, query = target.partition("?")
    params = {kv.partition("=")[0] for kv in query.split("&") if kv}
    has_key = path.strip("/").count("/") >= 1
    if method == "PUT" and has_key:
        return "UploadPart" if "partNumber" in params and "uploadId" in params else "PutObject"
    if method == "POST" and "uploads" in params:
        return "CreateMultipartUpload"
    if method == "POST" and "uploadId" in params:
        return "CompleteMultipartUpload"
    if method == "DELETE" and "uploadId" in params:
        return "AbortMultipartUpload"
    if method == "DELETE" and has_key:
        return "DeleteObject"
    if method == "HEAD":
        return "HeadObject" if has_key else "HeadBucket"
    if method == "GET":
        if has_key:
            return "GetObject"
        return "ListMultipartUploads" if "uploads" in params else "ListObjects"
    return f"{method}?"


def resource(op, target):
    """What cleanup retries are counted against: the upload id, or the key."""
    path, _, query = target.partition("?")
    for kv in query.split("&"):
        if kv.startswith("uploadId="):
            return kv
    return path


class Connection:
    """A socket with a read buffer: HTTP/1.1 heads and exact-length bodies."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def read_head(self, limit=256 << 10):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > limit:
                raise Closed("head too large")
            data = self.sock.recv(CHUNK)
            if not data:
                raise Closed("eof")
            self.buf += data
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        return head + b"\r\n\r\n"

    def read_some(self, most):
        if self.buf:
            data, self.buf = self.buf[:most], self.buf[most:]
            return data
        data = self.sock.recv(min(most, CHUNK))
        if not data:
            raise Closed("eof in body")
        return data

    def read_exact(self, n):
        parts = []
        while n > 0:
            data = self.read_some(n)
            parts.append(data)
            n -= len(data)
        return b"".join(parts)

    def read_line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(CHUNK)
            if not data:
                raise Closed("eof in line")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def read_to_eof(self):
        while True:
            data = self.read_some(CHUNK) if self.buf else self.sock.recv(CHUNK)
            if not data:
                return
            yield data


def parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    first = lines[0]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return first, headers


def hex_address(address):
    """An IPv4 (host, port) as /proc/net/tcp writes it."""
    host, port = address[:2]
    return "".join(f"{int(b):02X}" for b in reversed(host.split("."))) + f":{port:04X}"


def peer_socket_state(peer, mine):
    """The TCP state (hex, as in /proc/net/tcp) of the local socket whose address is `peer` and
    whose remote end is `mine`, or None when there is no such socket."""
    local, remote = hex_address(peer), hex_address(mine)
    try:
        with open("/proc/net/tcp") as table:
            for line in table:
                fields = line.split()
                if len(fields) > 3 and fields[1] == local and fields[2] == remote:
                    return fields[3]
    except OSError:
        pass
    return None


def reset(sock):
    """Closes with RST: SO_LINGER on with a zero timeout."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class FaultProxy:
    def __init__(self, args):
        self.args = args
        self.upstream = urlsplit(args.upstream)
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.requests = {}
        self.faults = {}
        self.faults_by_op = {}
        self.answered = {}
        self.stalls = []
        self.cleanup_runs = {}
        self.log = open(args.log, "a", buffering=1) if args.log else None

    # ---- decisions and counts

    def decide(self, op, target):
        """One draw per request; returns a fault kind or None."""
        a = self.args
        with self.lock:
            self.requests[op] = self.requests.get(op, 0) + 1
            if op not in UPLOAD_OPS:
                return None
            x = self.rng.random()
            kind = None
            for name, p in (("error500", a.p_500), ("error503", a.p_503), ("error429", a.p_429),
                            ("reset", a.p_reset if op in BODY_OPS else 0.0), ("stall", a.p_stall)):
                if x < p:
                    kind = name
                    break
                x -= p
            if kind is None and op == "CompleteMultipartUpload" and self.rng.random() < a.p_lost_complete:
                kind = "lost_complete"
            if op in CLEANUP_OPS:
                key = (op, resource(op, target))
                run = self.cleanup_runs.get(key, 0)
                if kind is not None and run >= a.cleanup_max_faults:
                    kind = None
                self.cleanup_runs[key] = run + 1 if kind else 0
            if kind:
                self.faults[kind] = self.faults.get(kind, 0) + 1
                by_op = self.faults_by_op.setdefault(op, {})
                by_op[kind] = by_op.get(kind, 0) + 1
            return kind

    def fraction(self):
        with self.lock:
            return self.rng.uniform(0.05, 0.95)

    def note(self, op, method, target, fault, status):
        """Counts what the server got for one request: a status (injected or upstream's), or "none"."""
        with self.lock:
            counts = self.answered.setdefault(op, {})
            key = "none" if status is None or fault == "lost_complete" else str(status)
            counts[key] = counts.get(key, 0) + 1
            if self.log:
                self.log.write(json.dumps({"t": round(time.time(), 3), "op": op, "method": method, "path": target,
                                           "fault": fault, "status": status}) + "\n")

    def report(self):
        with self.lock:
            return json.dumps({"requests": self.requests, "faults": self.faults, "faultsByOperation": self.faults_by_op,
                               "stalls": self.stalls, "answered": self.answered}).encode()

    # ---- serving

    def serve(self, listener):
        while True:
            sock, _ = listener.accept()
            threading.Thread(target=self.handle, args=(sock,), daemon=True).start()

    def handle(self, sock):
        conn = Connection(sock)
        try:
            while self.one_request(conn):
                pass
        except (Closed, OSError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def one_request(self, conn):
        """Serves one request; False when the connection is done."""
        head = conn.read_head()
        first, headers = parse_head(head)
        method, target, _ = first.split(" ", 2)
        length = int(headers.get("content-length") or 0)
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self.answer(conn.sock, 501, "NotImplemented", "fault_s3 does not relay chunked bodies")
            return False
        if target.startswith("/__faults"):
            body = self.report()
            conn.sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            return True
        op = operation(method, target)
        fault = self.decide(op, target)
        if fault in ERRORS:
            self.drain(conn, length)
            status, code, message = ERRORS[fault]
            self.answer(conn.sock, status, code, f"{message} (injected by fault_s3)")
            self.note(op, method, target, fault, status)
            return True
        if fault == "reset":
            self.drain(conn, int(length * self.fraction()))
            reset(conn.sock)
            self.note(op, method, target, fault, None)
            return False
        if fault == "stall":
            self.stall(conn, op, length)
            self.note(op, method, target, fault, None)
            return False
        status, keep = self.forward(conn, head, headers, method, length, answer=fault != "lost_complete")
        self.note(op, method, target, fault, status)
        if fault == "lost_complete":
            reset(conn.sock)
            return False
        return keep and headers.get("connection", "").lower() != "close"

    def drain(self, conn, n):
        while n > 0:
            n -= len(conn.read_some(min(n, CHUNK)))

    def answer(self, sock, status, code, message):
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
                f'<RequestId>fault-s3</RequestId></Error>').encode()
        reason = {500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable", 429: "Too Many Requests"}[status]
        sock.sendall(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)

    def stall(self, conn, op, length):
        """Goes silent for stall-seconds, before or after reading the body; notes when the server gives up."""
        phase = "before_body" if self.fraction() < 0.5 else "after_body"
        if phase == "after_body":
            self.drain(conn, length)
        started = time.monotonic()
        gave_up = None
        while time.monotonic() - started < self.args.stall_seconds:
            time.sleep(0.25)
            if self.peer_closed(conn.sock):
                gave_up = round(time.monotonic() - started, 2)
                break
        with self.lock:
            self.stalls.append({"op": op, "phase": phase, "gaveUpAfter": gave_up})
        reset(conn.sock)

    @staticmethod
    def peer_closed(sock):
        """Whether the server closed its end. Our own TCP state shows its FIN only once we have
        read everything before it, which a stall does not; so, both ends being on this host,
        also look at the server's socket in /proc/net/tcp: closed, it is FIN_WAIT or gone."""
        try:
            if sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] in (7, 8):  # TCP_CLOSE, TCP_CLOSE_WAIT
                return True
            peer, mine = sock.getpeername(), sock.getsockname()
        except OSError:
            return True
        state = peer_socket_state(peer, mine)
        return state is None or state not in ("01",)   # 01: ESTABLISHED

    def forward(self, conn, head, headers, method, length, answer):
        """Relays one request upstream and (if answer) its response back; returns (status, keep-alive)."""
        up = socket.create_connection((self.upstream.hostname, self.upstream.port), timeout=300)
        try:
            up.sendall(head)
            left = length
            while left > 0:
                data = conn.read_some(min(left, CHUNK))
                up.sendall(data)
                left -= len(data)
            upc = Connection(up)
            while True:
                rhead = upc.read_head()
                rfirst, rheaders = parse_head(rhead)
                status = int(rfirst.split(" ", 2)[1])
                if status >= 200:
                    break
                if answer:
                    conn.sock.sendall(rhead)
            send = conn.sock.sendall if answer else (lambda data: None)
            send(rhead)
            keep = rheaders.get("connection", "").lower() != "close"
            if method == "HEAD" or status in (204, 304):
                pass
            elif "chunked" in rheaders.get("transfer-encoding", "").lower():
                self.relay_chunked(upc, send)
            elif "content-length" in rheaders:
                left = int(rheaders["content-length"])
                while left > 0:
                    data = upc.read_some(min(left, CHUNK))
                    send(data)
                    left -= len(data)
            else:
                for data in upc.read_to_eof():
                    send(data)
                keep = False
            return status, keep
        finally:
            up.close()

    @staticmethod
    def relay_chunked(upc, send):
        while True:
            line = upc.read_line()
            send(line + b"\r\n")
            size = int(line.split(b";")[0], 16)
            if size == 0:
                while True:
                    trailer = upc.read_line()
                    send(trailer + b"\r\n")
                    if not trailer:
                        return
            send(upc.read_exact(size + 2))


def main():
    args = parse_args(sys.argv[1:])
    # A parent may have blocked or ignored SIGTERM, and children inherit that: be stoppable.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    print(listener.getsockname()[1], flush=True)
    FaultProxy(args).serve(listener)


if __name__ == "__main__":
    main()
