"""Uploads a file with tuspy (the tus project's Python client), for the resumable tests.

usage: scripts/testing/tus_upload.py '<json>' with endpoint, file, and optionally chunk_size, metadata,
headers, stop_at (upload up to this offset, then stop), url (resume this upload),
checksum (send Upload-Checksum: sha1). Prints JSON: the upload's url, its offset, and the
headers of the last answer.
"""
import json
import sys

from tusclient import client as tus_client

args = json.loads(sys.argv[1])
client = tus_client.TusClient(args["endpoint"], headers=args.get("headers", {}))
uploader = client.uploader(
    file_path=args["file"],
    url=args.get("url"),
    chunk_size=args.get("chunk_size", 1 << 62),
    metadata=args.get("metadata", {}),
    upload_checksum=args.get("checksum", False),
)
try:
    uploader.upload(stop_at=args.get("stop_at"))
except Exception as error:  # the test reads what the server answered
    print(json.dumps({"url": uploader.url, "offset": uploader.offset, "error": str(error),
                      "status": getattr(error, "status_code", None)}))
    sys.exit(0)
headers = uploader.request.response_headers if uploader.request else {}
print(json.dumps({"url": uploader.url, "offset": uploader.offset, "headers": headers}))
