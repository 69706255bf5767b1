"""Follow Babelwire's change feed and keep your place: run it, stop it, run it again, and no change
is missed or seen twice. Usage:

    BABELWIRE_KEY=bw_... python examples/follow_changes.py [http://127.0.0.1:8001] [--once]
"""

import os
import sys
from pathlib import Path

import httpx

API = next((arg for arg in sys.argv[1:] if arg.startswith("http")), "http://127.0.0.1:8001")
CURSOR_FILE = Path(os.environ.get("BABELWIRE_CURSOR_FILE", ".babelwire-cursor"))
ONCE = "--once" in sys.argv  # stop at the end of the feed instead of waiting for more


def main() -> None:
    headers = {"Authorization": f"Bearer {os.environ['BABELWIRE_KEY']}"} if "BABELWIRE_KEY" in os.environ else {}
    after = CURSOR_FILE.read_text().strip() if CURSOR_FILE.exists() else "0-0"
    with httpx.Client(base_url=API, headers=headers, timeout=40) as client:
        while True:
            # Long-poll: the server holds the request up to 25 s until something happens.
            page = client.get("/v1/changes", params={"after": after, "limit": 100, "wait": 0 if ONCE else 25})
            page.raise_for_status()
            body = page.json()
            for change in body["items"]:
                print(change["kind"], change["article_id"], change["group_id"], change["job_id"], flush=True)
            after = body["next"]
            CURSOR_FILE.write_text(after)  # saved after handling: a crash re-reads, never skips
            if ONCE and not body["items"]:
                return


if __name__ == "__main__":
    main()
