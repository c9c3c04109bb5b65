#!/usr/bin/env python3
"""An app's webhook endpoint for the tests: verifies each delivery with the `standardwebhooks`
package (Standard Webhooks' own Python library) and records it.

usage: webhook_receiver.py SECRET      prints its port on stdout, then serves on 127.0.0.1
  POST /hook         a delivery: answered as the current behaviour says
  POST /behaviour    the body is one of: ok (204), refuse (403 with a JSON error), slow (waits 10 s),
                     down (503)
  GET  /deliveries   JSON list: {"verified": bool, "id", "payload"|"error", "answered"}
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

webhook = Webhook(sys.argv[1])
lock = threading.Lock()
deliveries = []
behaviour = ["ok"]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with lock:
            self.answer(200, json.dumps(deliveries).encode())

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/behaviour":
            with lock:
                behaviour[0] = body.decode().strip()
            return self.answer(204)
        with lock:
            now = behaviour[0]
        try:
            payload = webhook.verify(body, dict(self.headers))
            record = {"verified": True, "id": self.headers.get("webhook-id"), "payload": payload}
        except Exception as error:  # a bad signature is recorded, and refused
            record = {"verified": False, "id": self.headers.get("webhook-id"), "error": str(error)}
            now = "bad"
        record["answered"] = now
        with lock:
            deliveries.append(record)
        if now == "ok":
            self.answer(204)
        elif now == "refuse":
            self.answer(403, json.dumps({"error": "quota_exceeded", "message": "this user is over quota"}).encode())
        elif now == "slow":
            time.sleep(10)
            self.answer(200)
        elif now == "bad":
            self.answer(400, b'{"error": "bad_signature"}')
        else:
            self.answer(503, b"down")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
