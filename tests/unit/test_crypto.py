"""Keys (`hotline.crypto`): one key per purpose, versioned data keys read from a private keyring
file, and pseudonyms that never change when the data key does."""

from __future__ import annotations

import json
import os
import stat

import pytest
from cryptography.fernet import Fernet, InvalidToken

from hotline.crypto import (
    DATA_KEY_1_LABEL,
    DecryptionError,
    KeyringError,
    Vault,
    _derive,
    add_key,
    read_keyring,
)

SECRET = "a-secret-of-32-characters-at-least"


def test_each_purpose_has_its_own_key():
    vault = Vault(SECRET)
    data_key = _derive(SECRET, DATA_KEY_1_LABEL)
    keys = {vault._id_key, bytes.fromhex(vault.session_key), data_key}
    assert len(keys) == 3  # pseudonyms, sessions and data never share a key
    assert vault.session_key not in (SECRET, SECRET.encode().hex())


def test_data_written_before_versioning_still_reads(tmp_path):
    # What a Vault of the previous version wrote: Fernet under HKDF(secret, "field key v1").
    import base64

    old = Fernet(base64.urlsafe_b64encode(_derive(SECRET, DATA_KEY_1_LABEL)))
    token = old.encrypt(b"Tijuana").decode()
    vault = Vault(SECRET, tmp_path / "keyring.json")
    assert vault.decrypt(token) == "Tijuana"
    add_key(tmp_path / "keyring.json")
    assert Vault(SECRET, tmp_path / "keyring.json").decrypt(token) == "Tijuana"


def test_a_new_key_encrypts_at_once_in_a_running_process(tmp_path):
    keyring = tmp_path / "keyring.json"
    running = Vault(SECRET, keyring)
    before = running.encrypt("x")
    assert running.key_id == 1
    assert add_key(keyring) == 2
    after = running.encrypt("y")  # the same object, no restart
    assert running.key_id == 2
    only_new = Fernet(read_keyring(keyring)[2])
    assert only_new.decrypt(after.encode()) == b"y"
    with pytest.raises(InvalidToken):
        only_new.decrypt(before.encode())
    assert running.decrypt(before) == "x"


def test_pseudonyms_do_not_change_when_the_data_key_does(tmp_path):
    keyring = tmp_path / "keyring.json"
    before = Vault(SECRET, keyring).pseudonym("+5215512345678")
    add_key(keyring)
    add_key(keyring)
    assert Vault(SECRET, keyring).pseudonym("+5215512345678") == before


def test_reencrypt_moves_a_token_to_the_current_key_once(tmp_path):
    keyring = tmp_path / "keyring.json"
    vault = Vault(SECRET, keyring)
    token = vault.encrypt("nota")
    add_key(keyring)
    moved = vault.reencrypt(token)
    assert moved is not None and vault.decrypt(moved) == "nota"
    assert vault.reencrypt(moved) is None  # already current: safe to run twice
    assert vault.reencrypt("gAAAAAnot-a-token") is None  # not ours: left alone
    other = Vault("another-secret-of-32-characters!!").encrypt("x")
    assert vault.reencrypt(other) is None


def test_the_keyring_file_is_private_and_malformed_ones_are_refused(tmp_path):
    keyring = tmp_path / "keyring.json"
    os.umask(0o022)
    add_key(keyring)
    assert stat.S_IMODE(keyring.stat().st_mode) == 0o600
    key_one = json.dumps({"keys": {"1": Fernet.generate_key().decode()}})
    for bad in ("not json", '{"keys": {"2": "short"}}', key_one, '{"keys": []}', "[]"):
        keyring.write_text(bad)
        with pytest.raises(KeyringError):
            Vault(SECRET, keyring)


def test_a_token_from_an_unknown_key_is_a_decryption_error(tmp_path):
    keyring = tmp_path / "keyring.json"
    add_key(keyring)
    token = Vault(SECRET, keyring).encrypt("x")
    keyring.write_text(json.dumps({"keys": {}}))  # the key was lost
    with pytest.raises(DecryptionError):
        Vault(SECRET, keyring).decrypt(token)
