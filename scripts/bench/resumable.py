"""The resumable-upload figures (issue 18), against two Sluice processes on one bucket.

usage: resumable.py A_URL B_URL FILE SHA256 [BREAKS]
A_URL and B_URL are the route's tus endpoints on two server processes (http://host:port/upload/tus).
Prints one line per scenario: seconds, MiB/s, and whether the stored digest is FILE's SHA-256.
"""
import http.client
import os
import random
import sys
import time
import urllib.parse

A, B, FILE, SHA = sys.argv[1:5]
BREAKS = int(sys.argv[5]) if len(sys.argv) > 5 else 5
SIZE = os.path.getsize(FILE)
CHUNK = 1 << 20
TUS = {"Tus-Resumable": "1.0.0"}


def connect(url):
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=600), parts


def request(method, url, headers=None, body=None):
    conn, parts = connect(url)
    conn.request(method, parts.path, body=body, headers={**TUS, **(headers or {})})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def create(endpoint):
    response = request("POST", endpoint, {"Upload-Length": str(SIZE), "Upload-Metadata": "filename YmVuY2guYmlu"})
    assert response.status == 201, response.status
    parts = urllib.parse.urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}{response.getheader('Location')}"


def offset(url):
    return int(request("HEAD", url).getheader("Upload-Offset"))


def patch(url, start, stop=None):
    """PATCHes the file from `start`; with `stop`, sends only up to it and drops the connection."""
    conn, parts = connect(url)
    conn.putrequest("PATCH", parts.path)
    for name, value in {**TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(start),
                        "Content-Length": str(SIZE - start)}.items():
        conn.putheader(name, value)
    conn.endheaders()
    end = SIZE if stop is None else stop
    with open(FILE, "rb") as f:
        f.seek(start)
        position = start
        while position < end:
            block = f.read(min(CHUNK, end - position))
            conn.send(block)
            position += len(block)
    if stop is not None:
        conn.sock.close()
        return None
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def settle(url, expected):
    """Waits until the server has kept what a broken PATCH sent."""
    for _ in range(600):
        if offset(url) == expected:
            return
        time.sleep(0.05)
    raise SystemExit(f"offset never reached {expected}: {offset(url)}")


def report(name, seconds, response):
    digests = dict(item.strip().split("=", 1) for item in (response.getheader("Sluice-Digests") or "").split(",") if "=" in item)
    ok = digests.get("sha256") == SHA
    print(f"{name}: {seconds:.2f} s, {SIZE / seconds / (1 << 20):.0f} MiB/s, status {response.status}, sha256 {'matches sha256sum' if ok else 'MISMATCH ' + str(digests)}")
    return ok


ok = True

url = create(A)
started = time.monotonic()
response = patch(url, 0)
ok &= report("tus, one PATCH", time.monotonic() - started, response)

url = create(A)
rng = random.Random(18)
points = sorted(rng.randrange(1, SIZE) for _ in range(BREAKS))
started = time.monotonic()
at = 0
for point in points:
    patch(url, at, point)
    settle(url, point)
    at = point
response = patch(url, at)
ok &= report(f"tus, broken {BREAKS} times and resumed (at {', '.join(str(p) for p in points)})", time.monotonic() - started, response)

url = create(A)
half = SIZE // 2 + 12345
started = time.monotonic()
patch(url, 0, half)
settle(url, half)
other = url.replace(urllib.parse.urlsplit(A).netloc, urllib.parse.urlsplit(B).netloc)
response = patch(other, half)
ok &= report(f"tus, broken at {half} on one process and resumed on another", time.monotonic() - started, response)

sys.exit(0 if ok else 1)
