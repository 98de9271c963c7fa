"""Starts the Rasa server with its secrets from the environment, never from the command line.

`rasa run --auth-token T` would show T to every local user (`ps`, /proc/<pid>/cmdline). This
launcher takes RASA_TOKEN from the environment (through `hotline.config`) and hands it to Rasa's
own argument parser inside the process: /proc/<pid>/cmdline keeps the command as it was started,
so the token never appears there. Usage: `python -m rasa_ext.server run --model ... --enable-api`.
"""

from __future__ import annotations

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


def main(argv: list[str] | None = None) -> int:
    try:
        token = Settings.from_env().require("rasa_token").rasa_token
        sys.argv = rasa_argv(list(sys.argv[1:] if argv is None else argv), token)
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import rasa.utils.io
    from rasa.__main__ import main as rasa_main

    from rasa_ext import schemas

    schemas.install()  # Rasa's constant schemas checked once, not at every action and answer

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
