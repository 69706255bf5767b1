"""Receive Babelwire webhooks and check each one before trusting it. Standard library only: copy it
into any service. Usage:

    BABELWIRE_WEBHOOK_SECRET=whsec_... python examples/receive_webhooks.py [port]

Register it (admin key):  POST /v1/webhooks {"url": "http://127.0.0.1:<port>/", "kinds": ["article.created"]}
"""

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ["BABELWIRE_WEBHOOK_SECRET"].encode()
TOLERANCE_SECONDS = 300  # refuse replays of a captured request after five minutes
seen_deliveries: set[str] = set()  # deliveries are at least once: drop repeats by their id


def signature_is_valid(timestamp: str, signature_header: str, body: bytes) -> bool:
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = "v1=" + hmac.new(SECRET, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, given.strip()) for given in signature_header.split(","))


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        timestamp = self.headers.get("Babelwire-Timestamp", "")
        if not signature_is_valid(timestamp, self.headers.get("Babelwire-Signature", ""), body):
            self.send_response(401)
            self.end_headers()
            print("rejected: bad signature", flush=True)
            return
        delivery = self.headers.get("Babelwire-Delivery", "")
        if delivery not in seen_deliveries:
            seen_deliveries.add(delivery)
            change = json.loads(body)["change"]
            print("verified", change["kind"], change["article_id"], change["job_id"], flush=True)
        self.send_response(204)  # any 2xx ends the retries
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    print(f"listening on 127.0.0.1:{port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
