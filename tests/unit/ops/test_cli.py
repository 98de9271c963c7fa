"""The CLI run in-process: the commands reach Redis through the environment, bad input ends in a
clear `error:` line with exit code 2, and a bug keeps its traceback."""

from __future__ import annotations

from datetime import date

import pytest

from hotline.access import api_tokens
from hotline.content import program_status
from hotline.ops import cli


@pytest.fixture
def env(monkeypatch, settings, redis):
    """The CLI pointed at the unit tests' Redis, as `REDIS_URL=... ./hotline.sh ...` would."""
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    return settings


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_status_shows_the_content_file(env, capsys):
    in_file = program_status.load(env.program_status_file)
    code, out, err = run(capsys, "status")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        f"state={in_file.state} since={in_file.since} as_of={in_file.as_of}")
    assert run(capsys, "status", "show")[1] == out


def test_status_set_overrides_the_file_until_cleared(env, redis, capsys):
    in_file = program_status.load(env.program_status_file)
    code, out, _ = run(capsys, "status", "set", "--state", "terminated", "--since", "2027-01-10",
                       "--as-of", "2027-01-12")
    assert (code, out.splitlines()[0]) == (0, "state=terminated since=2027-01-10 as_of=2027-01-12")
    now = program_status.load(env.program_status_file, redis)
    assert (now.state, now.since, now.as_of) == ("terminated", date(2027, 1, 10), date(2027, 1, 12))
    code, out, _ = run(capsys, "status", "clear")
    assert (code, out.splitlines()[0]) == (0, f"state={in_file.state} since={in_file.since} "
                                              f"as_of={in_file.as_of}")
    assert program_status.load(env.program_status_file, redis) == in_file


def test_status_as_of_defaults_to_today(env, capsys):
    code, out, _ = run(capsys, "status", "set", "--state", "suspended", "--since", "2021-01-21")
    assert (code, out.splitlines()[0]) == (
        0, f"state=suspended since=2021-01-21 as_of={date.today()}")


def test_a_bad_argument_exits_2_with_the_usage(env, redis, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["status", "set", "--state", "closed"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith("usage: hotline status") and "invalid choice: 'closed'" in err
    assert program_status.load(env.program_status_file, redis) == program_status.load(
        env.program_status_file)


def test_bad_input_is_a_clear_error_not_a_traceback(env, redis, capsys):
    code, out, err = run(capsys, "status", "set", "--state", "terminated", "--since", "10/01/2027")
    assert (code, out) == (2, "")
    assert err == "error: dates are written YYYY-MM-DD; got '10/01/2027'\n"
    assert not redis.exists(program_status.REDIS_KEY)


def test_tokens_from_the_cli(env, redis, capsys):
    code, out, err = run(capsys, "token", "create", "--name", "Org CLI",
                         "--scopes", "registrations:read,broadcasts")
    assert code == 0 and "keep it safe" in err
    assert api_tokens.lookup(redis, out.strip())["scopes"] == ["registrations:read", "broadcasts"]
    listed = run(capsys, "token", "list")[1]
    assert listed.startswith("Org CLI\tregistrations:read,broadcasts\tactive\texpires 20")
    assert run(capsys, "token", "revoke", "--name", "Org CLI")[:2] == (
        0, "revoked 1 token(s) of Org CLI\n")


@pytest.mark.parametrize("argv,message", [
    (["token", "revoke", "--name", "Nobody"], None),  # nothing to revoke is not an error
    (["token", "create", "--name", "Org", "--scopes", "registrations:erase"],
     "error: unknown scope(s): registrations:erase; known: registrations:read, "
     "registrations:write, registrations:identity, broadcasts\n"),
])
def test_unknown_token_names_and_scopes_get_a_clear_message(env, redis, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    if message is None:
        assert (code, out, err) == (0, "revoked 0 token(s) of Nobody\n", "")
    else:
        assert (code, out, err) == (2, "", message)
    assert api_tokens.listing(redis) == []


@pytest.mark.parametrize("argv,message", [
    (["token", "create"], "hotline token: error: token create needs --name (the organization)\n"),
    (["token", "revoke"], "hotline token: error: token revoke needs --name\n"),
])
def test_a_token_command_without_its_name_shows_usage(env, redis, capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.startswith("usage: hotline token") and err.endswith(message)
    assert api_tokens.listing(redis) == []


def test_a_malformed_setting_is_named(env, monkeypatch, capsys):
    monkeypatch.setenv("HOTLINE_PORT", "eighty")
    assert run(capsys, "status") == (
        2, "", "error: HOTLINE_PORT must be a whole number, got 'eighty'\n")


def test_a_stopped_redis_says_so(monkeypatch, capsys):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # the discard port: nobody there
    code, out, err = run(capsys, "token", "list")
    assert (code, out) == (1, "")
    assert err.startswith("error: cannot reach Redis") and "./hotline.sh run" in err


def test_a_bug_keeps_its_traceback(env, monkeypatch):
    def broken(args):
        return {}["state"]

    monkeypatch.setattr(cli, "cmd_status", broken)
    with pytest.raises(KeyError, match="state"):
        cli.main(["status"])


def test_every_cli_command_is_reachable_through_hotline_sh(capsys):
    # A command the CLI knows but hotline.sh does not pass on is a command nobody can run.
    import re

    from hotline.config import PROJECT_ROOT

    with pytest.raises(SystemExit):
        cli.main(["--help"])
    listed = re.search(r"\{([a-z,]+)\}", capsys.readouterr().out).group(1).split(",")
    script = (PROJECT_ROOT / "hotline.sh").read_text()
    passed_on = re.search(r"^\s+(chat\|[a-z|]+)\)$", script, re.M).group(1).split("|")
    assert set(listed) - set(passed_on) == set()
