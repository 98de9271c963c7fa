"""A broadcast to the people who asked to be told when registration opens (AVISAME)."""

from __future__ import annotations

import pytest

from hotline import contacts
from hotline.messaging.channels import parse_address
from hotline.outreach import audience
from hotline.outreach.spec import Broadcast, BroadcastError, parse_audience


def test_the_filter_is_validated():
    assert parse_audience({"subscribed": "intake"}) == {"subscribed": "intake"}
    with pytest.raises(BroadcastError, match="subscribed"):
        parse_audience({"subscribed": "everything"})


@pytest.mark.parametrize("filters,lang,subscriptions,selected", [
    ({"subscribed": "intake"}, "es", frozenset(), False),
    ({"subscribed": "intake"}, "es", frozenset({"intake"}), True),
    ({"subscribed": "intake", "language": "en"}, "es", frozenset({"intake"}), False),
    ({"language": "es"}, "es", frozenset({"intake"}), True),
    ({}, "en", frozenset(), True),
])
def test_matches(filters, lang, subscriptions, selected):
    assert audience.matches(filters, lang, "sms", None, subscriptions) is selected


def test_only_subscribers_are_in_the_audience_opted_out_counted_apart(rt):
    def person(number: str, lang: str, subscribed: bool, opted_out: bool = False) -> str:
        cid = rt.contacts.touch_inbound(parse_address(number))
        rt.contacts.set_language(cid, lang, chosen=False)
        if subscribed:
            assert rt.contacts.subscribe(cid, contacts.INTAKE)
        if opted_out:
            rt.contacts.set_opted_out(cid, True)
        return cid

    es = person("+5215500000011", "es", True)
    en = person("+15005550111", "en", True)
    stopped = person("+5215500000012", "es", True, opted_out=True)
    person("+5215500000013", "es", False)
    erased = person("+5215500000014", "es", True)
    rt.contacts.forget(erased)

    members = list(audience.audience_members(rt, {"subscribed": "intake"}, batch=2))
    assert sorted(members) == sorted([(es, "es", False), (en, "en", False),
                                      (stopped, "es", True)])
    bc = Broadcast(id="BCtest", texts={"es": "x", "en": "y"}, audience={"subscribed": "intake"})
    counts = audience.dry_run(rt, bc)
    assert counts["audience"] == 2 and counts["opted_out"] == 1
    assert counts["by_language"] == {"es": 1, "en": 1}
    everyone = {cid for cid, _, _ in audience.audience_members(rt, {})}
    assert len(everyone) == 4 and erased not in everyone


def test_batch_reads_keep_order_and_mark_the_missing(rt):
    a = rt.contacts.touch_inbound(parse_address("+5215500000021"))
    b = rt.contacts.touch_inbound(parse_address("+5215500000022"))
    got = rt.contacts.get_many([b, "nobody", a])
    assert [c.id if c else None for c in got] == [b, None, a]
    assert got[0].number == "+5215500000022"
    assert rt.contacts.get_many([a], numbers=False)[0].number is None
    pages = list(rt.contacts.id_pages(1))
    assert pages == [[x] for x in sorted([a, b])]
