"""Everything one process needs to talk to the outside world, built on demand.

Nothing here is created at import time: the gateway's app factory, each RQ job and the CLI build
a `Runtime` from `Settings`, and jobs share one per worker process.
"""

from __future__ import annotations

from functools import cached_property

from redis import Redis
from rq import Callback, Queue
from rq.serializers import JSONSerializer

from hotline.config import Settings
from hotline.contacts import ContactStore
from hotline.content.catalogs import Catalogs
from hotline.crypto import Vault
from hotline.messaging.assistant import Assistant
from hotline.messaging.messages import MessageStore
from hotline.redis_connect import connect
from hotline.registration.store import RegistrationStore

INBOUND_QUEUE = "inbound"
OUTBOUND_QUEUE = "outbound"
BROADCAST_QUEUE = "broadcast"  # last in every worker's list: replies never wait behind one
# RQ keeps a failed job (its arguments name a contact) for a year by default; three days is
# enough to look at it, and the dead letters keep what a supervisor must decide on.
FAILED_JOB_TTL = 3 * 24 * 3600
JOB_FAILED = "hotline.jobs.job_failed"


class JobQueue(Queue):
    """An RQ queue whose jobs keep their failures briefly and report each failed attempt to
    `hotline.jobs.job_failed` (the dead letters), whoever enqueues them."""

    def create_job(self, *args, **kwargs):
        if kwargs.get("failure_ttl") is None:
            kwargs["failure_ttl"] = FAILED_JOB_TTL
        if kwargs.get("on_failure") is None:
            kwargs["on_failure"] = Callback(JOB_FAILED)
        return super().create_job(*args, **kwargs)


class Runtime:
    """The composition root: every store and client one process uses, each built on first use.

    The master secret is required when the vault is first needed, so the CLI's Redis-only
    commands (status, token, operator) run without it; the gateway and the workers require it
    at start (`create_app`, `process_runtime`).
    """

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def redis(self) -> Redis:
        # One server or a Sentinel-watched primary, followed across a failover.
        return connect(self.settings.redis_url, decode_responses=True)

    @cached_property
    def rq_redis(self) -> Redis:
        # RQ keeps its job data as raw bytes (JSON here, see `queue`).
        return connect(self.settings.redis_url)

    @cached_property
    def vault(self) -> Vault:
        return Vault(self.settings.require("secret").secret, self.settings.keyring_file)

    @cached_property
    def contacts(self) -> ContactStore:
        return ContactStore(self.redis, self.vault)

    @cached_property
    def messages(self) -> MessageStore:
        return MessageStore(self.redis, self.vault, self.settings.message_ttl_seconds)

    @cached_property
    def registrations(self) -> RegistrationStore:
        return RegistrationStore(self.redis, self.vault)

    @cached_property
    def catalogs(self) -> Catalogs:
        return Catalogs(self.settings.locales_dir)

    @cached_property
    def assistant(self) -> Assistant:
        return Assistant(self.settings.rasa_url, self.settings.action_server_url,
                         self.settings.rasa_timeout, token=self.settings.rasa_token)

    @cached_property
    def twilio(self):
        from hotline.messaging.twilio_client import make_client

        return make_client(self.settings)

    def queue(self, name: str) -> Queue:
        # JSON, never pickle: whoever can write to Redis must not be able to run code in the
        # workers. Job arguments are ids and numbers only (tests/unit/test_rq_json.py).
        return JobQueue(name, connection=self.rq_redis, serializer=JSONSerializer)


_process_runtime: Runtime | None = None


def process_runtime() -> Runtime:
    """The runtime of this worker process, built from the environment on first use."""
    global _process_runtime
    if _process_runtime is None:
        _process_runtime = Runtime(Settings.from_env().require("secret"))
    return _process_runtime
