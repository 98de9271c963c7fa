"""The gateway as the API fuzz bench (bench/api_fuzz.sh) meets it: the real app factory on a
loopback port, its own Redis, a token with every scope, a few registrations to find; it counts
every request it answers and every 5xx, by status, and writes them when stopped.

Run by bench/api_fuzz.sh with the project's venv:
  python bench/api_fuzz_gateway.py REDIS_URL PORT OUT_DIR
OUT_DIR/token gets the bearer token once serving; OUT_DIR/counts.json the counts at SIGTERM.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections import Counter
from pathlib import Path

from werkzeug.serving import make_server

from hotline.access import api_tokens
from hotline.config import Settings
from webhooks import create_app

SMS_NUMBER = "+15005550006"


class Counting:
    """WSGI middleware: how many requests, and which statuses, the app answered."""

    def __init__(self, app):
        self.app = app
        self.statuses: Counter[int] = Counter()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        def counted(status, headers, exc_info=None):
            with self.lock:
                self.statuses[int(status.split()[0])] += 1
            return start_response(status, headers, exc_info)
        return self.app(environ, counted)


def seed(app) -> str:
    """A token with every scope and three registrations (one with a contact to tell)."""
    rt = app.extensions["hotline"]
    rt.redis.flushdb()
    from hotline.messaging.channels import parse_address

    for n in range(3):
        number = f"+52155123400{n:02d}"
        contact_id = rt.contacts.touch_inbound(parse_address(number))
        rt.registrations.create({
            "name": f"Persona Prueba {n}", "birth_date": "1990-01-02", "citizenship": "HN",
            "a_number": f"0{n:08d}", "case_situation": "pending", "enrolled": "2019-05",
            "location_country": "MX", "location_city": "Tijuana", "phone": number,
            "family": 1, "vulnerabilities": []}, contact_id, "sms", "es")
    return api_tokens.create(rt.redis, "Fuzz bench", api_tokens.SCOPES, days=1)


def main(argv: list[str]) -> int:
    redis_url, port, out = argv[0], int(argv[1]), Path(argv[2])
    settings = Settings(
        redis_url=redis_url, port=port, secret="fuzz-bench-secret-" + "z" * 24,
        twilio_account_sid="AC" + "0" * 31 + "9", twilio_auth_token="fuzz-bench-twilio-token",
        nlg_token="fuzz-bench-nlg-token", hotline_numbers=(SMS_NUMBER,),
        # Nothing is sent: no worker runs, and Twilio is a closed loopback port.
        twilio_api_base_url="http://127.0.0.1:9",
        rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9")
    app = create_app(settings)
    token = seed(app)
    counting = Counting(app.wsgi_app)
    app.wsgi_app = counting
    server = make_server("127.0.0.1", port, app, threaded=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    (out / "token").write_text(token)
    server.serve_forever(0.1)
    statuses = dict(sorted(counting.statuses.items()))
    (out / "counts.json").write_text(json.dumps({
        "requests": sum(statuses.values()),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500),
        "by_status": statuses}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
