"""Keys derived from the one master secret: pseudonymous ids, encryption at rest, sessions.

Phone numbers never appear in Redis keys, Rasa trackers or logs: a contact is known by an HMAC of
its number. Fields that identify a person are stored encrypted with Fernet.

Each purpose has its own key, derived with HKDF from the master secret under its own label, so
no key can stand in for another:
- the **pseudonym key** (contact ids, the A-number index) never changes while the secret stays
  the same: every Redis key and Rasa sender id is built from it, so changing it would mean
  re-indexing everything. Rotation deliberately leaves it alone.
- the **session key** signs the console's cookies (Flask's SECRET_KEY).
- the **data keys** encrypt fields. They are versioned: key 1 is derived from the secret (so
  data written before versioning still reads), later ones are random Fernet keys kept in the
  keyring file (`HOTLINE_KEYRING_FILE`, mode 0600). The newest key encrypts; every key decrypts
  (MultiFernet). `./hotline.sh keys rotate` adds a key and re-encrypts what is stored
  (`hotline.ops.keys`). A process notices a new keyring file at its next encryption, so new
  writes use the new key at once.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# The labels each key is derived under; changing one changes that key.
PSEUDONYM_LABEL = b"hotline contact id v1"
SESSION_LABEL = b"hotline console session v1"
DATA_KEY_1_LABEL = b"hotline field key v1"


class DecryptionError(ValueError):
    """A stored value could not be decrypted with the configured secret."""


class KeyringError(ValueError):
    """The keyring file is unreadable or malformed."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def read_keyring(path: Path | None) -> dict[int, bytes]:
    """Key id -> Fernet key from the keyring file; no file means no extra keys."""
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        keys = {int(kid): key.encode() for kid, key in data["keys"].items()}
        for key in keys.values():
            Fernet(key)  # malformed keys fail here, at start-up, not mid-request
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyringError(f"keyring file {path} is unreadable: {exc.__class__.__name__}") from None
    if any(kid < 2 for kid in keys):
        raise KeyringError("keyring ids start at 2 (key 1 is derived from HOTLINE_SECRET)")
    return keys


def write_keyring(path: Path, keys: dict[int, bytes]) -> None:
    """Write the keyring readable by its owner only, atomically (never a half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # left by a crashed writer with our pid
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"keys": {str(k): v.decode() for k, v in sorted(keys.items())}}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def add_key(path: Path) -> int:
    """A new random data key in the keyring; returns its id (the new current key)."""
    keys = read_keyring(path)
    kid = max([1, *keys]) + 1
    keys[kid] = Fernet.generate_key()
    write_keyring(path, keys)
    return kid


class Vault:
    """Pseudonymous ids, field encryption and the session key, each with its own key."""

    def __init__(self, secret: str, keyring: Path | None = None):
        if not secret or len(secret) < 16:
            raise ValueError("the master secret must be at least 16 characters")
        self._id_key = _derive(secret, PSEUDONYM_LABEL)
        self.session_key = _derive(secret, SESSION_LABEL).hex()
        self._derived = {1: base64.urlsafe_b64encode(_derive(secret, DATA_KEY_1_LABEL))}
        self._keyring = keyring
        self._stamp: tuple | None = None
        self._load()

    # keys ---------------------------------------------------------------------------------
    def _file_stamp(self) -> tuple | None:
        if self._keyring is None:
            return None
        try:
            st = os.stat(self._keyring)
        except FileNotFoundError:
            return ()
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load(self) -> None:
        self._stamp = self._file_stamp()
        keys = {**self._derived, **read_keyring(self._keyring)}
        self.key_id = max(keys)
        ordered = [Fernet(keys[k]) for k in sorted(keys, reverse=True)]
        self._current = ordered[0]
        self._fernet = MultiFernet(ordered)

    def refresh(self) -> None:
        # One stat per encryption: a rotation elsewhere takes effect here at the next write.
        if self._keyring is not None and self._file_stamp() != self._stamp:
            self._load()

    # pseudonyms ---------------------------------------------------------------------------
    def pseudonym(self, value: str, prefix: str = "c") -> str:
        """Stable, non-reversible id for a value (e.g. a phone number)."""
        digest = hmac.new(self._id_key, value.encode(), hashlib.sha256).hexdigest()
        return f"{prefix}{digest[:24]}"

    # encryption ---------------------------------------------------------------------------
    def encrypt(self, value: str) -> str:
        self.refresh()
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            self.refresh()  # written by a process that already has a newer key
            try:
                return self._fernet.decrypt(token.encode()).decode()
            except InvalidToken:
                raise DecryptionError(
                    "stored value does not decrypt with HOTLINE_SECRET") from None

    def reencrypt(self, token: str) -> str | None:
        """The token under the current key; None if it already is, or if no key reads it (a
        value that is not ours is left as it is)."""
        self.refresh()
        raw = token.encode()
        try:
            self._current.decrypt(raw)
            return None
        except InvalidToken:
            pass
        try:
            return self._fernet.rotate(raw).decode()
        except InvalidToken:
            return None
