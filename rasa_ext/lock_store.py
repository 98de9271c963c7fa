"""Rasa's Redis lock store, configured from REDIS_URL (TLS and an ACL user included).

Every Rasa replica shares it, so two replicas never handle one conversation's turns at once.
Configured in bot/endpoints.yml as `type: rasa_ext.lock_store.UrlRedisLockStore` with
`url: ${REDIS_URL}`; Rasa hands a custom lock store its whole endpoint config.
"""

from __future__ import annotations

from rasa.core.lock_store import RedisLockStore

from rasa_ext.redis_url import client_for, resolve


class UrlRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config=None, **kwargs):
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            host = endpoint_config.url
        else:
            host = kwargs.pop("host", None)
        options = resolve(host, kwargs)
        # Keys Rasa's endpoint config carries that are not the store's own.
        for key in ("type", "url", "record_exp"):
            options.pop(key, None)
        super().__init__(**options)
        # Sentinel-aware and retried like every other client; Rasa's own is never connected.
        client = client_for(host, socket_timeout=options.get("socket_timeout", 10))
        self.red = client or self.red
