"""The structure of the assistant's responses, read from the Rasa domain and bot/responses.

The domain keeps a stub for every response Rasa predicts (it validates against it); responses
only custom actions send live in bot/responses. In both, a response's text is its catalog id and
its buttons' titles are catalog ids too: the words live only in the catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class ResponseShape:
    name: str
    text_key: str
    buttons: tuple[tuple[str, str], ...]  # (title catalog id, payload)


def load_responses(*dirs: Path) -> dict[str, ResponseShape]:
    shapes: dict[str, ResponseShape] = {}
    for path in sorted(p for d in dirs for p in Path(d).glob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        for name, variations in (data.get("responses") or {}).items():
            first = variations[0]
            buttons = tuple((b["title"], b["payload"]) for b in first.get("buttons") or [])
            shapes[name] = ResponseShape(name, first.get("text") or name, buttons)
    return shapes
