"""What saving a returning person's conversation costs Rasa, by how many sessions it holds.

A person who writes again after an hour starts a new session (bot/domain/core.yml), and Rasa
works on that session alone; each save reads the whole stored conversation back and merges the
session into it (rasa_ext/tracker_store.py). Prints, side by side per stored conversation size:
Rasa 3.6.21's merge and the store's linear one, then reading the stored conversation back
(decrypted and deserialised, as a turn does twice: at its start and in the save) Rasa's way and
the store's (same results, checked here too).
Run in the Rasa environment (no running stack needed):
    nice -n 10 .venv-rasa/bin/python bench/tracker_merge.py
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("HOTLINE_SECRET", secrets.token_urlsafe(32))

from rasa.core.tracker_store import RedisTrackerStore  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from hotline.crypto import Vault  # noqa: E402
from rasa_ext.tracker_store import EncryptedRedisTrackerStore, events_from_dicts  # noqa: E402

TURNS_PER_SESSION = 10  # messages a person sends in one sitting


def sessions(count: int) -> list:
    events = []
    for s in range(count):
        t = 1_700_000_000.0 + s * 86_400
        events += [ActionExecuted("action_session_start", timestamp=t),
                   SessionStarted(timestamp=t + 0.001),
                   SlotSet("language", "es", timestamp=t + 0.002),
                   ActionExecuted("action_listen", timestamp=t + 0.003)]
        for i in range(TURNS_PER_SESSION):
            at = t + 1 + i * 30
            events += [UserUttered(f"mensaje {i}", {"name": "greet", "confidence": 0.91},
                                   metadata={"message_sid": f"SM{s:04d}{i:04d}"}, timestamp=at),
                       SlotSet("turn", i, timestamp=at + 0.001),
                       BotUttered(f"respuesta {i}", {"buttons": [{"title": "Sí",
                                                                  "payload": "/affirm"}]},
                                  timestamp=at + 0.002),
                       ActionExecuted("action_listen", timestamp=at + 0.003)]
    return events


def per_call_ms(call, repeat: int, *args) -> float:
    started = time.process_time()
    for _ in range(repeat):
        call(*args)
    return (time.process_time() - started) / repeat * 1000


def read_back_rasa(vault: Vault, blob: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_dict("bench", json.loads(vault.decrypt(blob))["events"])


def read_back_store(vault: Vault, blob: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "bench", events_from_dicts(json.loads(vault.decrypt(blob))["events"]))


def main() -> int:
    vault = Vault(os.environ["HOTLINE_SECRET"])
    print(f"{'sessions':>8s} {'events':>7s} {'Rasa merge':>11s} {'linear merge':>13s} "
          f"{'Rasa read':>10s} {'store read':>11s}   (CPU ms each)")
    for count in (1, 5, 15, 30, 60):
        stored = sessions(count)
        prior = DialogueStateTracker.from_events("bench", stored)
        start = max(i for i, e in enumerate(stored) if isinstance(e, ActionExecuted)
                    and e.action_name == "action_session_start")
        at = stored[-1].timestamp + 86_400
        current = DialogueStateTracker.from_events("bench", stored[start:] + [
            UserUttered("hola", {"name": "greet"}, timestamp=at),
            BotUttered("Hola", timestamp=at + 0.001),
            ActionExecuted("action_listen", timestamp=at + 0.002)])
        theirs = RedisTrackerStore._merge_trackers(prior, current)
        ours = EncryptedRedisTrackerStore._merge_trackers(prior, current)
        if [e.as_dict() for e in ours.events] != [e.as_dict() for e in theirs.events]:
            print(f"{count} sessions: the two merges differ", file=sys.stderr)
            return 1
        repeat = max(2, 60 // count)
        blob = vault.encrypt(RedisTrackerStore.serialise_tracker(prior))
        rasa_ms = per_call_ms(RedisTrackerStore._merge_trackers, repeat, prior, current)
        ours_ms = per_call_ms(EncryptedRedisTrackerStore._merge_trackers, repeat, prior, current)
        if ([e.as_dict() for e in read_back_store(vault, blob).events]
                != [e.as_dict() for e in read_back_rasa(vault, blob).events]):
            print(f"{count} sessions: the two readings differ", file=sys.stderr)
            return 1
        rasa_read = per_call_ms(read_back_rasa, repeat, vault, blob)
        store_read = per_call_ms(read_back_store, repeat, vault, blob)
        print(f"{count:8d} {len(stored):7d} {rasa_ms:11.1f} {ours_ms:13.1f} {rasa_read:10.1f} "
              f"{store_read:11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
