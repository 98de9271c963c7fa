"""Ending an operator's sessions: the generation moves on with every new password, disabling and
sign-out, and `./hotline.sh operator disable|enable|password|sign-out` do it from the shell."""

from __future__ import annotations

import io

import pytest

from hotline.access import operators
from hotline.ops import cli

PASSWORD = "correct horse battery"


@pytest.fixture
def env(monkeypatch, settings, redis):
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    return settings


def test_every_change_of_credentials_moves_the_generation_on(redis):
    operators.create(redis, "ana", PASSWORD)
    seen = [operators.generation(redis, "ana")]
    operators.set_password(redis, "ana", "another passphrase")
    seen.append(operators.generation(redis, "ana"))
    operators.set_disabled(redis, "ana")
    seen.append(operators.generation(redis, "ana"))
    operators.end_sessions(redis, "ANA ")
    seen.append(operators.generation(redis, "ana"))
    operators.create(redis, "ana", PASSWORD)
    seen.append(operators.generation(redis, "ana"))
    assert seen == sorted(set(seen)) and len(seen) == 5


def test_a_disabled_account_cannot_sign_in_even_with_its_password(redis):
    operators.create(redis, "ana", PASSWORD)
    operators.set_disabled(redis, "ana")
    assert operators.verify(redis, "ana", PASSWORD) is None
    assert operators.listing(redis)[0]["disabled"] is True
    with pytest.raises(ValueError):
        operators.set_password(redis, "ana", "short")
    with pytest.raises(ValueError):
        operators.set_disabled(redis, "nobody")


def test_the_cli_disables_enables_and_resets(env, redis, capsys, monkeypatch):
    operators.create(redis, "ana", PASSWORD)
    before = operators.generation(redis, "ana")
    assert cli.main(["operator", "disable", "--username", "ana"]) == 0
    assert operators.get(redis, "ana")["disabled"] and operators.generation(redis, "ana") > before
    assert "disabled" in capsys.readouterr().out
    assert cli.main(["operator", "list"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("\tdisabled")
    assert cli.main(["operator", "enable", "--username", "ana"]) == 0
    assert operators.verify(redis, "ana", PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO("a new passphrase here\n"))
    assert cli.main(["operator", "password", "--username", "ana", "--password-stdin"]) == 0
    assert operators.verify(redis, "ana", "a new passphrase here")
    middle = operators.generation(redis, "ana")
    assert cli.main(["operator", "sign-out", "--username", "ana"]) == 0
    assert operators.generation(redis, "ana") == middle + 1
    capsys.readouterr()
    assert cli.main(["operator", "disable", "--username", "nobody"]) == 2
    assert "no operator" in capsys.readouterr().err


def test_token_create_takes_days_and_list_shows_the_expiry(env, redis, capsys):
    from hotline.access import api_tokens

    assert cli.main(["token", "create", "--name", "Org", "--days", "7"]) == 0
    token = capsys.readouterr().out.strip()
    record = api_tokens.lookup(redis, token)
    assert round((record["expires_at"] - record["created_at"]) / 86400) == 7
    assert cli.main(["token", "create", "--name", "Org"]) == 0
    latest = api_tokens.listing(redis)[-1]
    assert round((latest["expires_at"] - latest["created_at"]) / 86400) == \
        api_tokens.DEFAULT_DAYS
    capsys.readouterr()
    assert cli.main(["token", "list"]) == 0
    assert "\tactive\texpires 20" in capsys.readouterr().out
    assert cli.main(["token", "create", "--name", "Org", "--days", "0"]) == 2
