"""`./hotline.sh keys rotate` (`hotline.ops.keys`): a new data key, every stored token moved to
it in place, resumable from a cursor kept in Redis, safe to run twice, and never clobbering a
value the hotline rewrote meanwhile."""

from __future__ import annotations

import dataclasses
import re

import pytest
from cryptography.fernet import Fernet, InvalidToken
from redis import ConnectionPool, Redis

from hotline.crypto import read_keyring
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.ops import cli, keys
from hotline.runtime import Runtime
from support.redis_scan import raw_values

TOKEN = re.compile(rb"gAAAAA[0-9A-Za-z_\-]+=*")


@pytest.fixture
def krt(settings, redis, tmp_path) -> Runtime:
    return Runtime(dataclasses.replace(settings, keyring_file=tmp_path / "keyring.json"))


def people(rt: Runtime, n: int) -> list[str]:
    ids = []
    for i in range(n):
        number = f"+52155100{i:05d}"
        cid = rt.contacts.touch_inbound(parse_address(number))
        rt.messages.save_inbound(Inbound(
            sid=f"SM{i:032d}", contact_id=cid, channel="sms", sender=number, to="+15005550006",
            body=f"hola {i}", num_media=0, received_at=0), 3600)
        rt.messages.append_transcript(cid, "in", f"hola {i}")  # a token inside JSON
        ids.append(cid)
    return ids


def tokens_by_key(redis) -> dict[int, int]:
    """How many stored tokens each data key reads (0: none of them)."""
    raw = Redis(connection_pool=ConnectionPool(**{
        **redis.connection_pool.connection_kwargs, "decode_responses": False}))
    counts: dict[int, int] = {}
    for _, values in raw_values(raw):
        for value in values:
            for token in TOKEN.findall(value):
                counts[_key_of(token)] = counts.get(_key_of(token), 0) + 1
    return counts


_KEYS: dict[int, Fernet] = {}


def _key_of(token: bytes) -> int:
    for kid, fernet in _KEYS.items():
        try:
            fernet.decrypt(token)
            return kid
        except InvalidToken:
            continue
    return 0


def remember_keys(rt: Runtime) -> None:
    import base64

    from hotline.crypto import DATA_KEY_1_LABEL, _derive

    _KEYS.clear()
    _KEYS[1] = Fernet(base64.urlsafe_b64encode(_derive(rt.settings.secret, DATA_KEY_1_LABEL)))
    for kid, key in read_keyring(rt.settings.keyring_file).items():
        _KEYS[kid] = Fernet(key)


def test_rotation_moves_every_token_and_everything_still_reads(krt, redis):
    ids = people(krt, 30)
    reference = krt.registrations.create({
        "name": "Ana Pérez", "birth_date": "1990-01-02", "citizenship": "HN",
        "a_number": "A123456789", "case_situation": "pending", "enrolled": "2019-05",
        "location_country": "MX", "location_city": "Tijuana", "phone": "+5215510000001",
        "family": 2, "vulnerabilities": ["medical"]}, ids[0], "sms", "es").reference
    state = keys.rotate(krt.redis, krt.vault, krt.settings.keyring_file)
    assert state.done and state.key_id == 2 and state.values_rewritten >= 60
    remember_keys(krt)
    assert set(tokens_by_key(redis)) == {2}  # nothing left under key 1
    fresh = Runtime(krt.settings)  # another process, started after the rotation
    assert fresh.contacts.get(ids[3]).number == "+5215510000003"
    assert fresh.messages.transcript(ids[3])[0]["text"] == "hola 3"
    assert fresh.registrations.get(reference, actor=None).name == "Ana Pérez"
    # Run twice: a second rotation is a new key, and moves everything again.
    again = keys.rotate(krt.redis, krt.vault, krt.settings.keyring_file)
    remember_keys(krt)
    assert again.key_id == 3 and set(tokens_by_key(redis)) == {3}


def test_an_interrupted_rotation_resumes_from_its_cursor_without_a_new_key(krt, redis):
    people(krt, 200)
    first = keys.rotate(krt.redis, krt.vault, krt.settings.keyring_file, batch=10,
                        max_batches=2)
    assert not first.done and first.cursor != 0
    remember_keys(krt)
    assert tokens_by_key(redis).get(1)  # some still under the old key
    # A new write during the rotation already uses the new key.
    cid = krt.contacts.touch_inbound(parse_address("+5215519999999"))
    assert _key_of(TOKEN.search(redis.hget(f"hl:contact:{cid}", "number").encode()).group(0)) == 2
    resumed = keys.rotate(krt.redis, krt.vault, krt.settings.keyring_file, batch=10)
    assert resumed.done and resumed.key_id == 2  # the same rotation, finished
    assert sorted(read_keyring(krt.settings.keyring_file)) == [2]
    assert set(tokens_by_key(redis)) == {2}
    assert resumed.keys_seen >= first.keys_seen


def test_two_rotations_at_once_are_refused(krt):
    krt.redis.set(keys.LOCK, "someone", ex=60)
    with pytest.raises(keys.RotationError, match="another rotation"):
        keys.rotate(krt.redis, krt.vault, krt.settings.keyring_file)
    assert not krt.settings.keyring_file.exists()  # no key was added


def test_a_value_changed_during_the_rotation_is_not_overwritten(krt, redis):
    cid = people(krt, 1)[0]
    key = f"hl:contact:{cid}"
    old = redis.hget(key, "number")
    newer = krt.vault.encrypt("+5215500000000")
    script = redis.register_script(keys._CAS_HASH)
    assert script(keys=[key], args=["number", "not-what-is-stored", "x"]) == 0
    redis.hset(key, "number", newer)
    assert script(keys=[key], args=["number", old, "stale"]) == 0
    assert redis.hget(key, "number") == newer


def test_values_that_are_not_ours_are_left_alone(krt, redis):
    redis.set("hl:odd", "gAAAAAthis-is-not-a-token and {\"text\": \"gAAAAAnope\"}")
    redis.rpush("hl:oddlist", "plain", "gAAAAA")
    keys.rotate(krt.redis, krt.vault, krt.settings.keyring_file)
    assert redis.get("hl:odd").startswith("gAAAAAthis-is-not-a-token")
    assert redis.lrange("hl:oddlist", 0, -1) == ["plain", "gAAAAA"]


def test_rotation_needs_a_keyring_file(rt):
    with pytest.raises(keys.RotationError, match="HOTLINE_KEYRING_FILE"):
        keys.rotate(rt.redis, rt.vault, None)


def test_the_cli_rotates_and_reports(krt, monkeypatch, capsys):
    people(krt, 3)
    monkeypatch.setenv("REDIS_URL", krt.settings.redis_url)
    monkeypatch.setenv("HOTLINE_SECRET", krt.settings.secret)
    monkeypatch.setenv("HOTLINE_KEYRING_FILE", str(krt.settings.keyring_file))
    assert cli.main(["keys", "rotate"]) == 0
    assert "data key 2: re-encryption finished" in capsys.readouterr().out
    assert cli.main(["keys", "status"]) == 0
    assert "current data key: 2" in capsys.readouterr().out
    monkeypatch.delenv("HOTLINE_KEYRING_FILE")
    assert cli.main(["keys", "rotate"]) == 2
    assert "HOTLINE_KEYRING_FILE" in capsys.readouterr().err
