"""The test helper that reads every stored value must tolerate a live stack's expiring keys."""

from redis import Redis

from tests.support.redis_scan import raw_values


class _ExpiresBetweenScanAndType(Redis):
    """A real connection whose TYPE answers as if the key expired just after SCAN listed it."""

    def __init__(self, real: Redis, vanishing: bytes):
        self._real, self._vanishing = real, vanishing

    def scan_iter(self, *args, **kwargs):
        return self._real.scan_iter(*args, **kwargs)

    def type(self, key):
        return b"none" if key == self._vanishing else self._real.type(key)

    def get(self, key):
        return self._real.get(key)


def test_a_key_expiring_mid_scan_is_skipped_not_an_error(settings):
    raw = Redis.from_url(settings.redis_url)
    raw.set(b"hl:test:kept", b"value")
    raw.set(b"hl:test:bucket", b"1", px=60_000)
    found = dict(raw_values(_ExpiresBetweenScanAndType(raw, b"hl:test:bucket")))
    assert found[b"hl:test:kept"] == [b"hl:test:kept", b"value"]
    assert b"hl:test:bucket" not in found
