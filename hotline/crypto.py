"""Keys derived from the one master secret: pseudonymous ids and encryption at rest.

Phone numbers never appear in Redis keys, Rasa trackers or logs: a contact is known by an HMAC of
its number. Fields that identify a person are stored encrypted with Fernet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class DecryptionError(ValueError):
    """A stored value could not be decrypted with the configured secret."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


class Vault:
    """Pseudonymous ids and field encryption, both keyed from the master secret."""

    def __init__(self, secret: str):
        if not secret or len(secret) < 16:
            raise ValueError("the master secret must be at least 16 characters")
        self._id_key = _derive(secret, b"hotline contact id v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"hotline field key v1")))

    def pseudonym(self, value: str, prefix: str = "c") -> str:
        """Stable, non-reversible id for a value (e.g. a phone number)."""
        digest = hmac.new(self._id_key, value.encode(), hashlib.sha256).hexdigest()
        return f"{prefix}{digest[:24]}"

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise DecryptionError("stored value does not decrypt with HOTLINE_SECRET") from None
