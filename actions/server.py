"""The action server, answering only Rasa: every call but /health must carry the shared secret.

rasa_sdk 3.6 has no authentication of its own (`rasa_sdk.endpoint.create_app` routes /webhook,
/actions and /health, open to any local process, which could run any action on any sender's
tracker). Rasa sends `X-Hotline-Token: <ACTION_SERVER_TOKEN>` (bot/endpoints.yml,
action_endpoint.headers); a request middleware refuses anything else with 401. Started as
`python -m actions.server --port 5055` instead of `rasa run actions`.
"""

from __future__ import annotations

import argparse
import hmac
import sys

from hotline import logs
from hotline.config import ConfigError, Settings

TOKEN_HEADER = "X-Hotline-Token"
OPEN_PATHS = ("/health",)  # what the gateway's readiness check needs; it says nothing


def token_ok(given: str | None, token: str) -> bool:
    """Constant-time comparison; an empty or missing token never matches.

    >>> token_ok("s3cret", "s3cret"), token_ok("s3cret ", "s3cret"), token_ok("", "")
    (True, False, False)
    """
    if not token or not given:
        return False
    return hmac.compare_digest(given.encode(), token.encode())


def create_app(token: str, package: str = "actions"):
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    app = sdk_app(package, cors_origins=[])

    @app.middleware("request")
    async def require_token(request):
        if request.path in OPEN_PATHS:
            return None
        if not token_ok(request.headers.get(TOKEN_HEADER), token):
            return response.json({"error": "action server token required"}, status=401)
        return None

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the hotline's action server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    try:
        token = Settings.from_env().require("action_server_token").action_server_token
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # One redacting setup, JSON in production (hotline/logs.py), like every other service.
    logs.configure("actions")
    create_app(token).run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
