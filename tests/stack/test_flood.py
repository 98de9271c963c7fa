"""A short flood on the real stack (bench/flood.py is the long one, with the figures): one
person sends 5 messages a second for a while beside a few people talking as usual. Every flood
message is stored; the flooder's messages are answered together, not one reply each, and they
are told so once; the others are all answered, in order, while it goes on."""

from __future__ import annotations

import sys

import pytest

from hotline.config import PROJECT_ROOT

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
    # Answered together: far fewer turns than messages (the first ten of a minute are answered
    # as they come), and "we read them together" once.
    assert 0 < turns <= len(script) // 3, turns
    assert told == 1, told
    for person in crowd:
        last = 0
        for sent in person.sent:
            answers = listener.answers(sent.sid)
            assert answers, f"{person.name}: {sent.text!r} never answered"
            first = min(a.seq for a in answers)
            assert first > last, f"{person.name}: answered out of order"
            last = first

