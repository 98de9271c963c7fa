"""What a broadcast costs: the dry run's estimate, on the route each person would be sent by,
and the report's count of what was sent; unpriced classes are said, never taken as free."""

import dataclasses

from hotline.outreach import audience as bc_audience
from hotline.outreach import report as bc_report
from hotline.outreach import runner as bc_runner
from hotline.outreach import spec as bc_spec
from hotline.runtime import Runtime

from .test_broadcasts import people, run_all

PRICES = "sms=0.0079,whatsapp_service=0.005,whatsapp_utility=0.0085"
SHORT = {"es": "Hola " * 10, "en": "Hi " * 10}                 # one GSM-7 segment
LONG = {"es": "¿Qué pasó? 🙏 " * 20, "en": "What now? 🙏 " * 20}  # UCS-2, several segments


def priced(rt, prices=PRICES, **more) -> Runtime:
    return Runtime(dataclasses.replace(rt.settings, message_prices=prices, **more))


def estimate(rt, spec) -> dict:
    return bc_audience.dry_run(rt, bc_spec.build(rt, spec, "t"))["estimated_cost"]


def test_the_dry_run_estimates_sms_by_segments_and_leaves_out_opt_outs(rt):
    rt = priced(rt)
    ids = people(rt, 4, "es") + people(rt, 2, "en", start=100)
    rt.contacts.set_opted_out(ids[0], True, channel="sms")
    cost = estimate(rt, {"text": SHORT})
    assert (cost["messages"], cost["sms_segments"], cost["total"], cost["unpriced"]) == (
        5, 5, "0.0395", 0)
    long = estimate(rt, {"text": LONG})
    # UCS-2 (the emoji cannot be folded; it is two UTF-16 units): "¿Qué pasó? 🙏 " is 14
    # units, x20 = 280, 5 segments of 67; "What now? 🙏 " 13, 260, 4. Three in Spanish, two
    # in English.
    assert (long["sms_segments"], long["by_category"]) == (3 * 5 + 2 * 4, {"sms": 5})


def test_the_dry_run_prices_whatsapp_by_the_route_it_would_take(rt):
    rt = priced(rt)
    inside = people(rt, 2, channel="whatsapp")              # wrote just now: a free-form message
    outside = people(rt, 3, channel="whatsapp", start=10)   # window closed
    for cid in outside:
        rt.redis.hset(f"hl:contact:{cid}", "last_inbound_at", 0)
    no_template = estimate(rt, {"text": SHORT})
    assert (no_template["by_category"], no_template["no_route"]) == ({"service": 2}, 3)
    assert no_template["total"] == "0.010"
    with_template = estimate(rt, {"text": SHORT, "content_sid": "HX" + "a" * 32})
    assert with_template["by_category"] == {"service": 2, "utility": 3}
    assert with_template["total"] == "0.0355"
    assert len(inside) == 2


def test_without_prices_the_estimate_counts_messages_and_says_their_price_is_unknown(rt):
    people(rt, 3)
    cost = estimate(rt, {"text": SHORT})
    assert (cost["messages"], cost["total"], cost["unpriced"], cost["currency"]) == (
        3, None, 3, "USD")


def test_unreadable_prices_do_not_stop_the_dry_run(rt):
    people(rt, 2)
    cost = estimate(priced(rt, prices="sms=gratis"), {"text": SHORT})
    assert (cost["messages"], cost["unpriced"]) == (2, 2)


def test_the_report_counts_what_the_sent_messages_cost(sandbox_rt):
    rt = priced(sandbox_rt)
    ids = people(rt, 3, "es") + people(rt, 2, "es", channel="whatsapp", start=50)
    rt.contacts.set_opted_out(ids[1], True)
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": LONG}, "t"))
    run_all(rt, bc.id)
    report = bc_report.report(rt, bc.id)
    assert report["sent"] == 4
    cost = report["cost"]
    assert cost["by_category"] == {"sms": 2, "service": 2}
    # Two Spanish SMS of 5 segments at 0.0079, two WhatsApp service messages at 0.005.
    assert (cost["sms_segments"], cost["total"], cost["unpriced"]) == (10, "0.0890", 0)
    # The dry run said the same beforehand.
    assert estimate(rt, {"text": LONG})["total"] == cost["total"]


def test_a_report_of_a_broadcast_sent_before_costs_were_kept_says_nothing_was_counted(rt):
    people(rt, 1)
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": SHORT}, "t"))
    cost = bc_report.report(rt, bc.id)["cost"]
    assert (cost["messages"], cost["total"]) == (0, None)


def test_a_damaged_billing_entry_is_skipped(sandbox_rt):
    rt = priced(sandbox_rt)
    people(rt, 1)
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": SHORT}, "t"))
    run_all(rt, bc.id)
    rt.redis.hset(f"hl:bc:{bc.id}:bill", "garbage", 1)
    rt.redis.hset(f"hl:bc:{bc.id}:bill", "sms|sms|1|GSM-7|not-a-price", 2)
    cost = bc_report.report(rt, bc.id)["cost"]
    assert (cost["messages"], cost["total"], cost["unpriced"]) == (3, "0.0079", 2)


def test_the_cli_dry_run_prints_the_estimated_cost(rt, settings, monkeypatch, capsys):
    from hotline.ops import cli
    people(rt, 2)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("HOTLINE_SECRET", settings.secret)
    monkeypatch.setenv("HOTLINE_MESSAGE_PRICES", "sms=0.0079")
    monkeypatch.setenv("HOTLINE_NUMBERS", ",".join(settings.hotline_numbers))
    code = cli.main(["broadcast", "send", "--text-es", "Hola", "--text-en", "Hi", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "estimated cost: 0.0158 USD for 2 messages (sms: 2; 2 SMS segments)" in out
    monkeypatch.setenv("HOTLINE_MESSAGE_PRICES", "")
    cli.main(["broadcast", "send", "--text-es", "Hola", "--text-en", "Hi", "--dry-run"])
    assert ("estimated cost: unknown for 2 messages (sms: 2; 2 SMS segments); 2 without a "
            "price (set HOTLINE_MESSAGE_PRICES)") in capsys.readouterr().out
    monkeypatch.setenv("HOTLINE_NUMBERS", "whatsapp:+14155238886")  # no SMS number to send from
    cli.main(["broadcast", "send", "--text-es", "Hola", "--text-en", "Hi", "--dry-run"])
    assert "0 messages (none; 0 SMS segments); 2 cannot be sent now" in capsys.readouterr().out
