"""Numbered menus: a reply picks an option by number or by its words."""

import pytest

from hotline.messaging import menus

MENU = [{"title": "Sí", "payload": "/affirm"}, {"title": "No", "payload": "/deny"},
        {"title": "Hablar con una persona", "payload": "/human_handoff"}]


@pytest.mark.parametrize("reply,payload", [
    ("1", "/affirm"), (" 2 ", "/deny"), ("3.", "/human_handoff"), ("#3", "/human_handoff"),
    ("opción 1", "/affirm"), ("option 2", "/deny"), ("si", "/affirm"), ("SÍ", "/affirm"),
    ("hablar con una persona", "/human_handoff"),
    ("4", None), ("0", None), ("99", None), ("si claro que si", None), ("", None),
])
def test_menu_pick(reply, payload):
    assert menus.pick(MENU, reply) == payload


def test_render_options():
    assert menus.render_options(MENU) == "1. Sí\n2. No\n3. Hablar con una persona"
