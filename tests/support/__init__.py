"""What the tests share besides fixtures: the pretend Twilio account, a WSGI app on a loopback
port, and the sandbox's records. Imported as `support` (pytest puts tests/ on sys.path), never
through conftest, so there is one module object for each helper file."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SMS_NUMBER = "+15005550006"
WHATSAPP_NUMBER = "whatsapp:+14155238886"


class ServedApp:
    """A WSGI app on a real loopback port, for clients that need HTTP (the twilio client)."""

    def __init__(self, wsgi_app):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # shutdown() waits for the serving loop to look again: every 0.05 s, not the default
        # 0.5 s that every test using the sandbox would pay at teardown.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()


def sandbox_records(redis) -> list[dict]:
    """Every message the sandbox accepted, oldest first, with its private fields."""
    from sandbox.store import SandboxStore

    records, _ = SandboxStore(redis).page(None, None, 0, 100_000)
    return sorted(records, key=lambda r: r["_seq"])
