"""A short flood on the real stack (bench/flood.py is the long one, with the figures): one
person sends 5 messages a second for a while beside a few people talking as usual. Every flood
message is stored; the flooder's messages are answered together, not one reply each, and they
are told so once; the others are all answered, in order, while it goes on."""

from __future__ import annotations

import math
import sys

import pytest

from hotline.config import PROJECT_ROOT
from hotline.messaging.inbound import BATCH_MAX

sys.path.insert(0, str(PROJECT_ROOT))

from bench.flood import ordinary, run  # noqa: E402
from bench.harness import Listener, Person, make_phone, runtime_of, wait_for_quiet  # noqa: E402

pytestmark = pytest.mark.stack


def test_a_flooder_is_stored_whole_answered_together_and_starves_nobody(stack):
    rt = runtime_of(stack)
    with Listener(rt.redis) as listener:
        crowd = ordinary(stack, listener, 4, 3)
        script = [f"hola {i}" for i in range(60)]
        flooder = Person("flooder", make_phone(stack), script, listener, interval=0.2)
        flooder.thread.start()
        run(crowd)
        flooder.thread.join(timeout=120)
        wait_for_quiet(rt, listener, quiet=5, limit=300)
    accepted = [s for s in flooder.sent if s.accepted_at]
    assert len(accepted) == len(script)
    assert all(rt.messages.load_inbound(s.sid) is not None for s in accepted)
    # One turn answers a batch: its reply is recorded under one of the batch's messages.
    turns = sum(1 for s in accepted if listener.answers(s.sid))
    told = sum(len([n for n in listener.notices(s.sid) if n.out_id.endswith("-flow")])
               for s in accepted)
    # Answered together: far fewer turns than messages, and "we read them together" once. The
    # pace allows a burst, then turns at its rate for as long as the messages keep coming, and
    # each turn after that takes up to BATCH_MAX waiting messages. A fixed bound (a third of the
    # messages) failed on a loaded machine, where the script took longer to send and the pace
    # rightly allowed more turns.
    settings = rt.settings
    span = accepted[-1].accepted_at - accepted[0].accepted_at
    paced = settings.inbound_turn_burst + settings.inbound_turns_per_minute * span / 60
    allowed = math.ceil(paced) + math.ceil(len(script) / BATCH_MAX)
    assert allowed < len(script), allowed  # the bound still means "together"
    assert 0 < turns <= allowed, (turns, allowed, span)
    assert told == 1, told
    for person in crowd:
        last = 0
        for sent in person.sent:
            answers = listener.answers(sent.sid)
            assert answers, f"{person.name}: {sent.text!r} never answered"
            first = min(a.seq for a in answers)
            assert first > last, f"{person.name}: answered out of order"
            last = first

