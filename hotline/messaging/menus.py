"""Numbered choices: SMS has no buttons, so buttons become "1. Sí / 2. No".

The gateway keeps the last menu it showed a person; a reply that picks one of its options, by
number or by its words, becomes that option's payload.

>>> render_options([{"title": "Sí", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}])
'1. Sí\\n2. No'
>>> menu = [{"title": "Sí", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
>>> pick(menu, " 2 "), pick(menu, "opcion 1"), pick(menu, "#1."), pick(menu, "si"), pick(menu, "3")
('/deny', '/affirm', '/affirm', '/affirm', None)
"""

from __future__ import annotations

import re

from hotline.text import fold

_NUMBER_REPLY = re.compile(r"^(?:opcion|option|numero|number|no|num|n)?\s*(\d{1,2})$")


def render_options(buttons: list[dict]) -> str:
    return "\n".join(f"{i}. {b['title']}" for i, b in enumerate(buttons, 1))


def chosen_number(body: str) -> int | None:
    """The number in a reply like '2', '#2', '2.', 'opción 2'; None otherwise."""
    match = _NUMBER_REPLY.match(fold(body))
    return int(match.group(1)) if match else None


def pick(menu: list[dict], body: str) -> str | None:
    """The payload the reply picks from the menu, or None when it picks nothing."""
    number = chosen_number(body)
    if number is not None:
        return menu[number - 1]["payload"] if 1 <= number <= len(menu) else None
    folded = fold(body)
    for option in menu:
        if folded and folded == fold(option["title"]):
            return option["payload"]
    return None


def is_bare_number(body: str) -> bool:
    return chosen_number(body) is not None
