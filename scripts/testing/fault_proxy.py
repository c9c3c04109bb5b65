#!/usr/bin/env python3
"""A small HTTP proxy for tests that injects faults in front of an S3 endpoint.

usage: fault_proxy.py UPSTREAM_URL RULE...
  RULE = METHOD:QUERY_SUBSTRING:ACTION:COUNT, e.g. "PUT:partNumber=2:503:1" answers the first
  PUT whose query contains "partNumber=2" with 503 SlowDown (404 is NoSuchUpload, 500 InternalError); ACTION "reset" closes the
  connection without an answer; "corrupt" flips a byte of the body and forwards it;
  "delayMS" (e.g. delay1500) waits that long, then forwards; "lose" forwards and closes the connection
  without passing the answer on (the request took effect, its answer was lost). Anything else is forwarded unchanged (Host header included, so
  SigV4 signatures still verify upstream).
Prints its port on stdout, then serves until killed. GET /__proxy/log answers the request log
as JSON lines: {"method", "path", "status"}.
"""
import http.client, json, signal, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

upstream = urlsplit(sys.argv[1])
rules = []
for text in sys.argv[2:]:
    method, match, action, count = text.split(":")
    rules.append({"method": method, "match": match, "action": action, "left": int(count)})
lock = threading.Lock()
log = []


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        if self.path == "/__proxy/log":
            with lock:
                body = "".join(json.dumps(entry) + "\n" for entry in log).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = self.path.partition("?")[2]
        fault = None
        with lock:
            for rule in rules:
                if rule["left"] > 0 and rule["method"] == self.command and rule["match"] in query:
                    rule["left"] -= 1
                    fault = rule["action"]
                    break
        if fault == "reset":
            with lock:
                log.append({"method": self.command, "path": self.path, "status": None})
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if fault is not None and fault.startswith("delay"):
            time.sleep(int(fault[5:]) / 1000)
            fault = None
        if fault == "corrupt" and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
            fault = None
        if fault is not None and fault != "lose":
            status = int(fault)
            code = {404: "NoSuchUpload", 500: "InternalError", 503: "SlowDown"}.get(status, "InjectedFault")
            payload = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>injected by fault_proxy</Message><RequestId>fault</RequestId></Error>'.encode()
            with lock:
                log.append({"method": self.command, "path": self.path, "status": status})
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            return
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() not in ("connection", "keep-alive", "content-length"):
                conn.putheader(name, value)
        if body or self.command in ("PUT", "POST"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        answer = conn.getresponse()
        data = answer.read()
        with lock:
            log.append({"method": self.command, "path": self.path, "status": None if fault == "lose" else answer.status})
        if fault == "lose":
            conn.close()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


# A parent may have blocked or ignored SIGTERM, and children inherit that: be stoppable.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, signal.SIG_DFL)
server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(server.server_address[1], flush=True)
server.serve_forever()
