"""How soon a person is answered after Rasa comes back from a crash: the mark a killed Rasa
leaves on the turn runs out within one short lease, and the turn is retried often enough in the
first minutes to find Rasa back (the chaos benchmark saw waits of four minutes with a 120 s lease
and retries 60 and 120 s apart)."""

from hotline.messaging import inbound, turns


def test_a_dead_rasas_mark_holds_the_turn_back_at_most_half_a_minute():
    assert turns.LEASE_SECONDS <= 30


def test_retries_come_every_15_s_or_sooner_for_the_first_minute_and_a_half():
    at, times = 0, []
    for interval in inbound.ASSISTANT_RETRY.intervals:
        at += interval
        times.append(at)
    early = [t for t in times if t <= 100]
    gaps = [b - a for a, b in zip([0, *early], early)]
    assert early[-1] >= 90 and max(gaps) <= 15


def test_retries_still_span_about_two_hours_before_the_dead_letter_list():
    retry = inbound.ASSISTANT_RETRY
    assert retry.max == len(retry.intervals)
    assert sum(retry.intervals) >= 2 * 3600
