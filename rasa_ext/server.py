"""Starts the Rasa server with its secrets from the environment, never from the command line.

`rasa run --auth-token T` would show T to every local user (`ps`, /proc/<pid>/cmdline). This
launcher takes RASA_TOKEN from the environment (through `hotline.config`) and hands it to Rasa's
own argument parser inside the process: /proc/<pid>/cmdline keeps the command as it was started,
so the token never appears there. Usage: `python -m rasa_ext.server run --model ... --enable-api`.
"""

from __future__ import annotations

import os
import sys

from hotline.config import ConfigError, Settings


def rasa_argv(args: list[str], token: str) -> list[str]:
    """The arguments Rasa parses: the given ones, with the API token added once.

    The token is joined to its option with "=": a generated token may begin with "-" (one in
    64 of `secrets.token_urlsafe`), which argparse would read as another option and refuse.

    >>> rasa_argv(["run", "--enable-api"], "-t0k")
    ['rasa', 'run', '--enable-api', '--auth-token=-t0k']
    """
    if "--auth-token" in args or any(a.startswith("--auth-token=") for a in args):
        raise ValueError("pass the Rasa token as RASA_TOKEN, not on the command line")
    return ["rasa", *args, f"--auth-token={token}"]


# How long a conversation's ticket in Rasa's lock store outlives the turn that took it, when
# that turn's Rasa died holding it (Rasa's default is 60 s: a scale-out or chaos run's person
# waited a minute after a Rasa host was killed mid-turn). The person's next turn waits on the
# dead ticket; a worker holds a person's line while their turn runs and gives it up after
# RASA_TIMEOUT (30 s), so a shorter ticket never lets two turns of one person overlap.
# TICKET_LOCK_LIFETIME in the environment (Rasa's own setting) wins.
TICKET_LOCK_SECONDS = 20


def set_ticket_lifetime(environ=os.environ) -> None:
    """Before Rasa is imported: it reads TICKET_LOCK_LIFETIME once, at import.

    >>> env = {}
    >>> set_ticket_lifetime(env); env
    {'TICKET_LOCK_LIFETIME': '20'}
    >>> env = {"TICKET_LOCK_LIFETIME": "45"}
    >>> set_ticket_lifetime(env); env
    {'TICKET_LOCK_LIFETIME': '45'}
    """
    environ.setdefault("TICKET_LOCK_LIFETIME", str(TICKET_LOCK_SECONDS))


def main(argv: list[str] | None = None) -> int:
    try:
        token = Settings.from_env().require("rasa_token").rasa_token
        sys.argv = rasa_argv(list(sys.argv[1:] if argv is None else argv), token)
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    set_ticket_lifetime()
    import rasa.utils.io
    from rasa.__main__ import main as rasa_main

    # Rasa's own lines through the hotline's one redacting setup (JSON in production), not
    # coloredlogs: Rasa installs that where this hook is, replacing any stdout handler.
    rasa.utils.io.configure_colored_logging = configure_logging
    rasa_main()
    return 0


def configure_logging(level=None) -> None:
    from hotline import logs

    logs.configure("rasa")


if __name__ == "__main__":
    sys.exit(main())
