"""The frozen held-out set stays exactly as it was written, and stays out of training."""

import hashlib

import pytest

from hotline.ops.evaluation import (
    FROZEN,
    FROZEN_OPT_OUT,
    frozen_held_out,
    opt_out_list,
    training_examples,
)

pytestmark = pytest.mark.rasa


def test_the_frozen_set_is_unchanged():
    sums = dict(reversed(line.split()) for line in
                (FROZEN / "SHA256SUMS").read_text().splitlines() if line.strip())
    assert set(sums) == {"en.yml", "es.yml", "opt_out/asks_to_stop.tsv", "opt_out/does_not.tsv",
                         "message_delivery_en.yml", "message_delivery_es.yml"}
    for name, digest in sums.items():
        assert hashlib.sha256((FROZEN / name).read_bytes()).hexdigest() == digest, name


def test_no_frozen_line_is_training_data():
    train = {" ".join(e.text.casefold().split()) for e in training_examples()}
    frozen = frozen_held_out() + opt_out_list(FROZEN_OPT_OUT)
    leaked = [e.text for e in frozen if " ".join(e.text.casefold().split()) in train]
    assert not leaked


def test_the_frozen_set_has_fifteen_messages_per_topic_and_language():
    counts: dict[tuple[str, str], int] = {}
    for example in frozen_held_out():
        counts[(example.intent, example.lang)] = counts.get((example.intent, example.lang), 0) + 1
    assert counts and min(counts.values()) >= 15, min(counts.items(), key=lambda kv: kv[1])
