"""Rasa's NLG endpoint: turns a response name into the person's words, from the catalogs.

Rasa POSTs {response, arguments, tracker, channel}; we answer {text, buttons}. The language is
decided by `hotline.messaging.language.for_turn`: one a custom action passed (`lang=`), the
contact's stored language (an action may have just changed it), the turn's metadata from the
gateway, the default.
"""

from __future__ import annotations

import hmac
import logging
import re
from datetime import date
from functools import cached_property

from flask import Blueprint, abort, current_app, jsonify, request

from hotline.content import answers, program_status, told
from hotline.content.catalogs import MissingValue, UnknownMessage, format_day
from hotline.content.responses import load_responses
from hotline.messaging import language, misunderstood

from .context import runtime

log = logging.getLogger(__name__)
bp = Blueprint("nlg", __name__)

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Keys rasa_sdk always puts in `arguments` for dispatcher.utter_message.
_SDK_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image",
             "attachment", "json_message", "lang", "message_key", "options"}


class Renderer:
    def __init__(self, rt):
        self.rt = rt

    @cached_property
    def shapes(self):
        return load_responses(self.rt.settings.domain_dir, self.rt.settings.responses_dir)

    def language(self, arguments: dict, tracker: dict) -> str:
        """The reply's language, decided like every other reply's (`language.for_turn`)."""
        contact = self.rt.contacts.get(tracker.get("sender_id") or "")
        metadata = (tracker.get("latest_message") or {}).get("metadata")
        return language.for_turn(arguments.get("lang"), contact.language if contact else None,
                                 metadata, self.rt.settings.default_language)

    def values(self, arguments: dict, tracker: dict, lang: str) -> dict:
        values = {k: v for k, v in (tracker.get("slots") or {}).items() if v is not None}
        values.update({k: v for k, v in arguments.items() if k not in _SDK_KEYS and v is not None})
        for key, value in values.items():
            if isinstance(value, str) and _ISO_DAY.match(value):
                values[key] = format_day(date.fromisoformat(value), lang)
        return values

    def learn(self, name: str, tracker: dict, lang: str) -> None:
        """A message not understood is kept for supervisors to label; any other answer is what
        the person got next after one (`messaging.misunderstood`)."""
        latest = tracker.get("latest_message") or {}
        message_id = latest.get("message_id")
        if name in misunderstood.MISSED:
            ranking = [r.get("name") for r in latest.get("intent_ranking") or []
                       if r.get("name") and r.get("name") != "nlu_fallback"]
            misunderstood.record(self.rt.redis, self.rt.vault, tracker["sender_id"],
                                 latest.get("text") or "", lang, name, ranking, message_id,
                                 self.rt.settings.told_days)
        else:
            misunderstood.note_next(self.rt.redis, tracker["sender_id"], name, message_id)

    def render(self, name: str, arguments: dict, tracker: dict) -> dict:
        lang = self.language(arguments, tracker)
        values = self.values(arguments, tracker, lang)
        shape = self.shapes.get(name)
        key = arguments.get("message_key") or (shape.text_key if shape else name)
        catalogs = self.rt.catalogs
        # Loaded per message, so an operator's `status set` applies to the next one.
        status = program_status.load(self.rt.settings.program_status_file, self.rt.redis)
        if name == "utter_program_status" and "message_key" not in arguments:
            key = status.message_key
        # The wording true in today's situation, with the status's dates and organizations.
        key, text = answers.wording(catalogs, status, key, lang, **values)
        body = {"text": text}
        if tracker.get("sender_id"):  # what this person was told, to correct it if it changes
            told.record(self.rt.redis, tracker["sender_id"], key,
                        told.content_version(catalogs, key), self.rt.settings.told_days)
            self.learn(name, tracker, lang)
        # `options=False`: an answer given mid-form, whose numbers must not become a menu.
        if shape and shape.buttons and arguments.get("options") is not False:
            body["buttons"] = [{"title": catalogs.text(title, lang), "payload": payload}
                               for title, payload in shape.buttons]
        return body


def _renderer() -> Renderer:
    extensions = current_app.extensions
    if "hotline.nlg" not in extensions:
        extensions["hotline.nlg"] = Renderer(runtime())
    return extensions["hotline.nlg"]


@bp.post("/nlg")
def nlg():
    rt = runtime()
    # In a header (bot/endpoints.yml, nlg.headers), never `?token=`: a URL ends up in access logs.
    header = request.headers.get("Authorization", "")
    token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
    if not rt.settings.nlg_token or not hmac.compare_digest(token.encode(),
                                                            rt.settings.nlg_token.encode()):
        abort(401, "NLG token required")
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("response"), str):
        abort(400, "expected Rasa's NLG request: {response, arguments, tracker}")
    renderer = _renderer()
    name = payload["response"]
    arguments = payload.get("arguments") or {}
    tracker = payload.get("tracker") or {}
    try:
        return jsonify(renderer.render(name, arguments, tracker))
    except (UnknownMessage, MissingValue) as exc:
        # A gap in the content must not leave the person in silence: say sorry and log loudly.
        log.error("NLG cannot render %s: %s", name, exc)
        lang = renderer.language(arguments, tracker)
        return jsonify({"text": rt.catalogs.text("error.no_answer", lang)})
