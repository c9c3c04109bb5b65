"""An app with Sluice in front of its uploads: it mints upload tokens for its users (PyJWT),
records what Sluice stored from verified webhooks (standardwebhooks), and checks receipts the
browser brings back. Run it with ./run.sh, which starts Sluice and a local S3 beside it.

env: SLUICE_URL (http://127.0.0.1:8080), SLUICE_TOKEN_SECRET, SLUICE_WEBHOOK_SECRET, APP_PORT (5000)
"""
import os
import time
import uuid

import jwt
from flask import Flask, jsonify, request
from standardwebhooks import Webhook

SLUICE_URL = os.environ.get("SLUICE_URL", "http://127.0.0.1:8080").rstrip("/")
TOKEN_SECRET = os.environ["SLUICE_TOKEN_SECRET"]
webhook = Webhook(os.environ["SLUICE_WEBHOOK_SECRET"])

app = Flask(__name__)
# What the app knows of its users' uploads: only what a verified webhook told it.
uploads = []
# A demo: the signed-in user. A real app takes it from its session.
USER = "user-42"


@app.post("/token")
def token():
    """An upload token for the signed-in user: one image, under the user's own prefix."""
    now = int(time.time())
    claims = {
        "sub": USER, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4()),
        "iss": "example-app", "aud": "sluice",
        "sluice": {
            "route": "/avatars", "keyPrefix": f"users/{USER}/", "maxFiles": 1, "maxFileBytes": 10_000_000,
            "types": ["image/*"], "metadata": {"app": "example"},
        },
    }
    return jsonify(token=jwt.encode(claims, TOKEN_SECRET, algorithm="HS256"), sluice=SLUICE_URL)


@app.post("/hooks/sluice")
def sluice_webhook():
    """Sluice waits for this answer (mode: await): 2xx keeps the upload, 4xx undoes it."""
    try:
        event = webhook.verify(request.get_data(), dict(request.headers))
    except Exception as error:
        return jsonify(error="bad_signature", message=str(error)), 400
    data = event["data"]
    if event["type"] == "upload.stored":
        if any(f.get("filename") == "refuse-me.png" for f in data["files"]):
            return jsonify(error="refused_by_app", message="this app does not take files named refuse-me.png"), 422
        for f in data["files"]:
            uploads.append({"user": data.get("sub"), "key": f["key"], "size": f["size"], "sha256": f["digests"].get("sha256"),
                            "webhookId": request.headers.get("webhook-id")})
    return "", 204


@app.get("/uploads")
def list_uploads():
    return jsonify(uploads)


@app.post("/receipt")
def receipt():
    """The browser reports an upload back; the app believes the receipt, not the report."""
    try:
        claims = jwt.decode(request.get_json()["receipt"], TOKEN_SECRET, algorithms=["HS256"], audience="sluice-receipt")
    except jwt.PyJWTError as error:
        return jsonify(error="bad_receipt", message=str(error)), 400
    return jsonify(user=claims.get("sub"), files=[{"key": f["key"], "size": f["size"]} for f in claims["files"]])


@app.get("/")
def page():
    return PAGE.replace("SLUICE_URL", SLUICE_URL)


PAGE = """<!doctype html>
<meta charset="utf-8">
<title>Example app</title>
<h1>Your avatar</h1>
<input type="file" id="file" accept="image/*">
<button id="send">Upload</button>
<progress id="progress" max="100" value="0"></progress>
<pre id="result"></pre>
<script src="SLUICE_URL/sluice.js"></script>
<script>
document.getElementById('send').onclick = async function () {
  var result = document.getElementById('result');
  try {
    var minted = await (await fetch('/token', { method: 'POST' })).json();
    var answer = await Sluice.upload(document.getElementById('file').files[0], {
      url: minted.sluice + '/avatars', token: minted.token,
      onProgress: function (p) { document.getElementById('progress').value = p.percent; }
    });
    var checked = await (await fetch('/receipt', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ receipt: answer.receipt })
    })).json();
    result.textContent = 'stored ' + checked.files[0].key + ' for ' + checked.user;
  } catch (error) {
    result.textContent = 'refused: ' + (error.error || '') + ' ' + error.message;
  }
};
</script>
"""

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("APP_PORT", "5000")))
