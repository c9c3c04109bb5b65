"""The soak's clients: what each request is (a plan drawn from a seeded generator), the bytes it
sends (generated as a stream, never held whole), and how it is sent over a plain socket the way
browsers and scripts send uploads: multipart POST with text fields, raw PUT with Content-Length,
some with `Expect: 100-continue`, some slow, some hanging up mid-body.

A client checks for an early answer before every piece it sends (as browsers do): the server may
refuse or fail an upload mid-body and answer at once.
"""
import hashlib, json, random, select, socket, struct, time, zlib
from dataclasses import dataclass, field
from urllib.parse import quote

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
PIECE = 64 * KiB
WORDS = ("sluice upload stream bucket part chain filter magic gzip hash river water gate flow byte "
         "server client browser form field file image text data soak fault retry abort complete "
         "the a of and to in is it for on with as at by from this that be are was").split()


# ---------------------------------------------------------------- content

class Pools:
    """Random bytes and random text, made once from the seed; contents are slices of them at
    offsets a per-file generator picks, each piece stamped with the file and piece number, so
    every piece of every file differs (a swapped or repeated part changes the SHA-256)."""

    def __init__(self, seed):
        rng = random.Random(f"pools/{seed}")
        self.binary = rng.randbytes(4 * MiB)
        lines, size = [], 0
        while size < 2 * MiB:
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))) + "\n"
            lines.append(line)
            size += len(line)
        self.text = "".join(lines).encode()


def png_header(rng):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", rng.randint(16, 4000), rng.randint(16, 4000), 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)


def jpeg_header(rng):
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def content(pools, kind, size, seed):
    """Yields `size` bytes of `kind` (binary, text, png, jpeg) in pieces of up to 64 KiB."""
    rng = random.Random(seed)
    head = {"png": png_header, "jpeg": jpeg_header}.get(kind, lambda r: b"")(rng)
    sent, number = 0, 0
    while sent < size:
        n = min(PIECE, size - sent)
        if kind == "text":
            stamp = b"#%08x:%08x\n" % (seed & 0xFFFFFFFF, number)
            pool = pools.text
        else:
            stamp = struct.pack(">QQ", seed & (2**64 - 1), number)
            pool = pools.binary
        if number == 0:
            stamp = head + stamp
        offset = rng.randrange(0, len(pool) - PIECE)
        piece = (stamp + pool[offset:offset + n])[:n]
        sent += n
        number += 1
        yield piece


# ---------------------------------------------------------------- plans

@dataclass
class FilePlan:
    field: str
    filename: str
    declared_type: str
    kind: str          # content kind: binary, text, png, jpeg
    size: int
    seed: int
    sha256: str = ""   # filled while sending (of the bytes sent, complete only if the whole file went)
    sent: int = 0


@dataclass
class Plan:
    id: str
    kind: str          # form, put, text, image, refused, multi, oversize
    method: str
    route: str
    files: list
    fields: list = field(default_factory=list)
    declared_length: int | None = None     # oversize: the Content-Length claimed
    disconnect_at: int | None = None       # file bytes after which the client hangs up
    disconnect_rst: bool = False
    slow_rate: int | None = None           # bytes per second
    expect_continue: bool = False
    seed: int = 0

    def expected_statuses(self):
        """What a client that sends its whole body may get back: 502 when the storage failed
        after its retries, 503 `overloaded` when no upload memory came free in time."""
        if self.kind == "oversize":
            return {413}
        if self.kind == "refused":
            return {415, 503}   # refused at the sniff, before any S3 request
        refused = any(f.declared_type == "image/png" and f.kind == "text" for f in self.files)
        return {415, 502, 503} if refused else {201, 502, 503}


KINDS = [("form", 30), ("put", 25), ("text", 12), ("image", 10), ("refused", 7), ("multi", 4), ("oversize", 2)]
NAMES = ["report", "photo", "IMG_2041", "scan 7", "données", "notes", "backup", "export-2026", "clip", "Ferienbild ä"]


def draw_size(rng, max_size):
    x = rng.random()
    if x < 0.05:
        return 0
    if x < 0.60:
        return int(2 ** rng.uniform(0, 18))                  # 1 B .. 256 KiB
    if x < 0.77:
        return int(2 ** rng.uniform(18, 23.33))              # 256 KiB .. 10 MiB
    if x < 0.95:
        return min(max_size, rng.randint(10 * MiB, 60 * MiB))
    return min(max_size, rng.randint(60 * MiB, 200 * MiB))


def file_of(rng, kind, size, field="file"):
    name = rng.choice(NAMES)
    declared, ext = {"binary": ("application/octet-stream", ".bin"), "text": ("text/plain", ".txt"),
                     "png": ("image/png", ".png"), "jpeg": ("image/jpeg", ".jpg")}[kind]
    if kind in ("png", "jpeg"):
        size = max(size, 1 * KiB)   # a shorter file is not a recognisable image
    if kind == "text" and size == 1:
        size = 2                    # libmagic calls any 1-byte file application/octet-stream (see the report)
    return FilePlan(field=field, filename=name + ext, declared_type=declared, kind=kind, size=size, seed=rng.getrandbits(63))


def make_plan(rng, number, limits):
    """The next request of a client; everything in it comes from `rng`."""
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    max_size = limits["max_size"]
    method = "PUT" if kind in ("put", "oversize") or (kind in ("text", "image", "refused") and rng.random() < 0.4) else "POST"
    route = {"text": "/text", "image": "/images", "refused": "/images"}.get(kind, "/any")
    if kind in ("form", "put"):
        files = [file_of(rng, rng.choices(["binary", "png", "jpeg", "text"], [70, 10, 10, 10])[0], draw_size(rng, max_size))]
    elif kind == "text":
        files = [file_of(rng, "text" if rng.random() < 0.85 else "binary", draw_size(rng, max_size))]
    elif kind == "image":
        files = [file_of(rng, rng.choice(["png", "jpeg"]), max(1 * KiB, min(draw_size(rng, max_size), 20 * MiB)))]
    elif kind == "refused":
        text = file_of(rng, "text", rng.choice([rng.randint(1 * KiB, 200 * KiB), rng.randint(1 * MiB, 30 * MiB)]))
        text.declared_type, text.filename = "image/png", text.filename[:-4] + ".png"
        files = [text]
    elif kind == "multi":
        files = [file_of(rng, "binary", draw_size(rng, min(max_size, 24 * MiB)), "file1"),
                 file_of(rng, "binary", rng.randint(1, 2 * MiB), "file2")]
        if rng.random() < 0.6:   # a second file the chain refuses: the first must be rolled back
            files[1] = file_of(rng, "text", rng.randint(1 * KiB, 100 * KiB), "file2")
            files[1].declared_type = "image/png"
    else:  # oversize: claims more than the 256 MiB limit, sends a little
        files = [file_of(rng, "binary", 4 * MiB)]
    plan = Plan(id=f"{limits['client']}-{number}", kind=kind, method=method, route=route, files=files, seed=rng.getrandbits(63))
    if method == "PUT":
        files[0].field = None       # a raw body has no form field
    if kind == "oversize":
        plan.declared_length = int(2 ** rng.uniform(28.01, 33))   # 257 MiB .. 8 GiB
    if method == "POST":
        plan.fields = [("title", rng.choice(["Holiday", "Quarterly report", "Été 2026", "scan"]))]
        if rng.random() < 0.5:
            plan.fields.append(("album", rng.choice(["summer", "work", "misc"])))
    else:
        plan.expect_continue = rng.random() < 0.25
    first = files[0]
    if kind not in ("oversize", "refused") and rng.random() < 0.12:
        first.size = max(first.size, rng.randint(1 * MiB, min(max_size, 40 * MiB)))
        plan.disconnect_at = int(first.size * rng.uniform(0.05, 0.95))
        plan.disconnect_rst = rng.random() < 0.5
    elif kind != "oversize" and rng.random() < 0.08:
        plan.slow_rate = rng.randint(50_000, 200_000)
        first.size = min(first.size, plan.slow_rate * limits["slow_seconds"])
        if kind == "image":
            first.size = max(first.size, 1 * KiB)
    return plan


# ---------------------------------------------------------------- sending

class Answer(Exception):
    pass


def read_answer(sock, buf=b"", timeout=300.0):
    """Reads one final HTTP answer (skipping 1xx); returns (status, headers, body bytes)."""
    deadline = time.monotonic() + timeout
    while True:
        while b"\r\n\r\n" not in buf:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed before an answer" if not buf else "connection closed mid-answer")
            buf += data
        head, _, buf = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if status >= 200:
            break
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(buf) < n:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed mid-answer")
            buf += data
        return status, headers, buf[:n]
    if "chunked" in headers.get("transfer-encoding", ""):
        body = b""
        while True:
            while b"\r\n" not in buf:
                buf += sock.recv(65536)
            line, _, buf = buf.partition(b"\r\n")
            size = int(line.split(b";")[0], 16)
            while len(buf) < size + 2:
                buf += sock.recv(65536)
            body += buf[:size]
            buf = buf[size + 2:]
            if size == 0:
                return status, headers, body
    while True:
        data = sock.recv(65536)
        if not data:
            return status, headers, buf
        buf += data


def early_answer(sock):
    """A final answer the server sent before the body ended, or None; swallows 100 Continue."""
    while select.select([sock], [], [], 0)[0]:
        data = sock.recv(65536, socket.MSG_PEEK)
        if not data:
            raise ConnectionError("connection closed before an answer")
        if data.startswith(b"HTTP/1.1 1"):
            if b"\r\n\r\n" not in data:
                return None   # the rest of the interim head is on its way
            sock.recv(data.index(b"\r\n\r\n") + 4)
            continue
        return read_answer(sock)
    return None


def form_pieces(plan, boundary, pools):
    """The multipart body as (bytes, file) pieces; file is the FilePlan whose content it is, or None."""
    for name, value in plan.fields:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode(), None
    for f in plan.files:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{f.field}\"; filename=\"{f.filename}\"\r\n"
               f"Content-Type: {f.declared_type}\r\n\r\n").encode(), None
        for piece in content(pools, f.kind, f.size, f.seed):
            yield piece, f
        yield b"\r\n", None
    yield f"--{boundary}--\r\n".encode(), None


def form_length(plan, boundary):
    n = 0
    for name, value in plan.fields:
        n += len((f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode())
    for f in plan.files:
        n += len((f"--{boundary}\r\nContent-Disposition: form-data; name=\"{f.field}\"; filename=\"{f.filename}\"\r\n"
                  f"Content-Type: {f.declared_type}\r\n\r\n").encode()) + f.size + 2
    return n + len(f"--{boundary}--\r\n".encode())


class Client:
    """Sends plans to the server and records what came back."""

    def __init__(self, host, port, pools, stop_sending_at):
        self.host, self.port, self.pools = host, port, pools
        self.stop_sending_at = stop_sending_at   # monotonic time after which bodies are cut off

    def request_head(self, plan):
        rng = random.Random(plan.seed)
        if plan.method == "POST":
            boundary = "----WebKitFormBoundary" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop0123456789") for _ in range(16))
            length = form_length(plan, boundary)
            head = [f"POST {plan.route} HTTP/1.1", f"Content-Type: multipart/form-data; boundary={boundary}"]
            pieces = form_pieces(plan, boundary, self.pools)
        else:
            f = plan.files[0]
            length = plan.declared_length or f.size
            head = [f"PUT {plan.route}/{quote(f.filename)} HTTP/1.1", f"Content-Type: {f.declared_type}"]
            pieces = ((piece, f) for piece in content(self.pools, f.kind, f.size, f.seed))
            if plan.expect_continue:
                head.append("Expect: 100-continue")
        head += [f"Host: {self.host}:{self.port}", f"Content-Length: {length}", "User-Agent: sluice-soak", "Accept: application/json"]
        return ("\r\n".join(head) + "\r\n\r\n").encode(), length, pieces, rng

    def run(self, plan):
        """Sends one plan; returns its record (a dict, JSON-ready)."""
        record = {"id": plan.id, "kind": plan.kind, "method": plan.method, "route": plan.route, "slow": plan.slow_rate,
                  "expectContinue": plan.expect_continue, "declaredLength": plan.declared_length,
                  "disconnectAt": plan.disconnect_at, "disconnectRst": plan.disconnect_rst if plan.disconnect_at is not None else None,
                  "started": time.time()}
        hashes = {id(f): hashlib.sha256() for f in plan.files}
        head, length, pieces, rng = self.request_head(plan)
        record["contentLength"] = length
        try:
            sock = socket.create_connection((self.host, self.port), timeout=300)
        except OSError as error:
            record.update(outcome="lost", connected=False, error=f"connect: {error}", bodySent=0, ended=time.time(),
                          files=[{"field": f.field, "filename": f.filename, "declaredType": f.declared_type, "content": f.kind,
                                  "size": f.size, "sent": 0, "sha256": None} for f in plan.files])
            return record
        result = {}
        try:
            result = self.send(sock, plan, head, pieces, hashes, rng)
        except (OSError, ConnectionError) as error:
            result = {"outcome": "lost", "error": f"{type(error).__name__}: {error}"}
        finally:
            for f in plan.files:
                f.sha256 = hashes[id(f)].hexdigest()
            record["files"] = [{"field": f.field, "filename": f.filename, "declaredType": f.declared_type, "content": f.kind,
                                "size": f.size, "sent": f.sent, "sha256": f.sha256} for f in plan.files]
            record["bodySent"] = result.pop("bodySent", 0)
            record.update(result)
            record["ended"] = time.time()
            if record.get("outcome") == "disconnected" and plan.disconnect_rst:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        return record

    def send(self, sock, plan, head, pieces, hashes, rng):
        info = {}
        outcome = self.send_body(sock, plan, head, pieces, hashes, rng, info)
        return dict(outcome, **info)

    def send_body(self, sock, plan, head, pieces, hashes, rng, result):
        sent = 0
        sock.sendall(head)
        if plan.expect_continue:
            # As curl does: wait up to a second for "100 Continue" (or a final answer), then send anyway.
            waited = time.monotonic()
            if select.select([sock], [], [], 1.0)[0]:
                result["continueAfter"] = round(time.monotonic() - waited, 3)
        first = plan.files[0]
        for piece, f in pieces:
            early = early_answer(sock)
            if early:
                return self.answered(*early, sent, early=True)
            if f is first and plan.disconnect_at is not None and f.sent + len(piece) > plan.disconnect_at:
                cut = plan.disconnect_at - f.sent
                self.push(sock, piece[:cut], f, hashes, plan)
                return {"outcome": "disconnected", "bodySent": sent + cut}
            if time.monotonic() > self.stop_sending_at:
                return {"outcome": "disconnected", "forced": True, "bodySent": sent}
            try:
                self.push(sock, piece, f, hashes, plan, rng)
            except OSError as error:
                # The server may have answered and closed while we were sending: read what it said.
                try:
                    return self.answered(*read_answer(sock, timeout=5), sent, early=True)
                except (OSError, ConnectionError, ValueError):
                    return {"outcome": "lost", "error": f"send: {type(error).__name__}: {error}", "bodySent": sent}
            sent += len(piece)
        # An oversize claim is answered before the body; a client that sent less than it claimed
        # would otherwise wait for ever.
        timeout = 30 if plan.declared_length else 300
        try:
            return self.answered(*read_answer(sock, timeout=timeout), sent, early=False)
        except socket.timeout:
            return {"outcome": "lost", "error": f"no answer within {timeout} s after the body", "bodySent": sent}

    def push(self, sock, piece, f, hashes, plan, rng=None):
        if plan.slow_rate and rng is not None:
            for i in range(0, len(piece), 16 * KiB):
                part = piece[i:i + 16 * KiB]
                sock.sendall(part)
                time.sleep(len(part) / plan.slow_rate)
                if rng.random() < 0.01:
                    time.sleep(rng.uniform(0.5, 3.0))
        else:
            sock.sendall(piece)
        if f is not None:
            hashes[id(f)].update(piece)
            f.sent += len(piece)

    @staticmethod
    def answered(status, headers, body, sent, early):
        try:
            answer = json.loads(body) if body else None
        except ValueError:
            answer = {"unparsed": body[:500].decode("latin-1")}
        return {"outcome": "answered", "status": status, "answer": answer, "requestId": headers.get("x-request-id"),
                "early": early, "bodySent": sent}
