"""`./hotline.sh nlu export-labeled`: the messages supervisors labelled in the console
("Not understood") as NLU training examples, one Rasa file per language, with phone numbers,
A-numbers, names and places masked (`messaging.misunderstood.mask`).

The files go to var/ for review, not into nlu_data/: a person reads them and moves the good
lines into nlu_data/<lang>/<topic>.yml (never into the frozen held-out set's topics' lines).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from hotline.messaging import misunderstood
from hotline.runtime import Runtime


def export_labeled(rt: Runtime, out_dir: Path) -> dict[str, int]:
    """Write labeled_<lang>.yml under out_dir; returns how many examples per language."""
    by_lang: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for entry in misunderstood.labeled(rt.redis, rt.vault):
        text = " ".join(misunderstood.mask(entry.text).split())
        if text:
            by_lang[entry.lang or "es"][entry.label].add(text)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for lang, topics in sorted(by_lang.items()):
        data = {"version": "3.1", "nlu": [
            {"intent": topic, "examples": "".join(f"- {t}\n" for t in sorted(texts))}
            for topic, texts in sorted(topics.items())]}
        (out_dir / f"labeled_{lang}.yml").write_text(
            "# Labelled in the console (Not understood); masked. Review before moving into "
            "nlu_data/.\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                            width=10_000))
        counts[lang] = sum(len(t) for t in topics.values())
    return counts
