"""Retention warns the organizations, never the person (README, "Keys and personal data"): a
silent person's phone may have a new owner or be seen by others, so the pass that marks their
registrations sends nothing, and no text for such a notice is kept in the catalogs."""

from __future__ import annotations

import time

from hotline import erasure
from hotline.config import PROJECT_ROOT
from hotline.messaging.channels import parse_address
from hotline.runtime import OUTBOUND_QUEUE
from support.people import values

DAY = 86400


def test_the_retention_pass_marks_registrations_and_texts_nobody(rt):
    number = "+5215510000042"
    cid = rt.contacts.touch_inbound(parse_address(number))
    rt.redis.hset(f"hl:contact:{cid}", "last_inbound_at", time.time() - 350 * DAY)
    reg = rt.registrations.create(values(a_number="012340042", phone=number), cid, "sms", "es")
    before = set(rt.redis.scan_iter("hl:out*"))
    for _ in range(2):  # warned on two passes: still nothing sent
        assert erasure.retention(rt, force=True)["marked"] in (0, 1)
    assert rt.registrations.get(reg.reference, actor=None).erase_on  # the organizations see it
    assert set(rt.redis.scan_iter("hl:out*")) == before
    assert rt.queue(OUTBOUND_QUEUE).get_jobs() == []


def test_no_retention_notice_is_kept_for_sending(rt):
    for lang in ("en", "es"):
        po = (PROJECT_ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").read_text()
        assert 'msgid "retention.notice"' not in po, lang
    assert not rt.catalogs.has("retention.notice")
    pot = (PROJECT_ROOT / "locales" / "messages.pot").read_text()
    assert 'msgid "retention.notice"' not in pot
    assert "retention.notice:" not in (PROJECT_ROOT / "content" / "answers.yml").read_text()
