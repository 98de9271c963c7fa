"""Argument errors end with the command's usage line and exit status 2, never a traceback;
the same commands work from a second terminal against a running development stack."""

from __future__ import annotations

import pytest

from hotline.ops import cli


@pytest.mark.parametrize(("argv", "usage", "message"), [
    (["token", "create"], "usage: hotline token", "token create needs --name"),
    (["token", "revoke"], "usage: hotline token", "token revoke needs --name"),
    (["broadcast", "report"], "usage: hotline broadcast", "needs the broadcast id"),
    (["broadcast", "send", "--audience", "language"], "usage: hotline broadcast",
     "--audience must look like key=value, got 'language'"),
    (["broadcast", "send", "--template", "broadcast.stay_put", "--value", "=;"],
     "usage: hotline broadcast", "--value must look like key=value"),
    (["operator", "create"], "usage: hotline operator", "operator create needs --username"),
    (["broadcast", "send", "--rate", "fast"], "usage: hotline broadcast", "invalid float"),
    (["nonsense"], "usage: hotline", "invalid choice"),
])
def test_argument_errors_show_usage_not_a_traceback(argv, usage, message, settings, monkeypatch,
                                                    capsys):
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("HOTLINE_SECRET", settings.secret)
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage) and message in err
    assert "Traceback" not in err


def test_a_second_terminal_reads_the_stacks_secret_and_redis(settings, monkeypatch, tmp_path,
                                                            capsys):
    """`./hotline.sh broadcast send ... --dry-run` beside `./hotline.sh run`: the secret from
    var/dev.env and Redis from var/run.env, with nothing in this shell's environment."""
    import hotline.config

    var = tmp_path / "var"
    var.mkdir()
    (var / "dev.env").write_text(f"HOTLINE_SECRET={settings.secret}\n")
    (var / "run.env").write_text(f"REDIS_URL={settings.redis_url}\nHOTLINE_PORT=8080\n")
    monkeypatch.setattr(hotline.config, "RUN_ENV_FILE", var / "run.env")
    for name in ("HOTLINE_SECRET", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["broadcast", "send", "--template", "broadcast.stay_put", "--dry-run"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("audience: 0") and "Traceback" not in out.err
