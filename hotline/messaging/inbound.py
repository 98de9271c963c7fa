"""What happens to a message a person sent, in order, once it is safely stored.

Keywords first (compliance, HELP, AVISAME), then messages the assistant cannot read, then the
assistant itself.
Each message ends with a reply in the person's language, or, when the assistant is down, stays
at the head of the person's inbox until it can be answered.
"""

from __future__ import annotations

import json
import logging

from rq import Retry

from hotline import contacts, erasure, metrics
from hotline.contacts import Contact
from hotline.content import answers, program_status
from hotline.errors import AssistantUnavailable
from hotline.handoff import queue as escalations
from hotline.messaging import deadletters, keywords, language, menus, sms
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.messaging.outbound import COMPLIANCE, NOTICE, REPLY, queue_message
from hotline.messaging.serial import SerialQueue
from hotline.registration import form_mark
from hotline.runtime import INBOUND_QUEUE, Runtime

log = logging.getLogger(__name__)

# Waits between attempts while the assistant is down: the message is never dropped, and the
# sweeper picks the inbox up again if every attempt here is used.
ASSISTANT_RETRY = Retry(max=12, interval=[2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600])
MENU_KEY = "hl:menu:{}"


def inbox(rt: Runtime) -> SerialQueue:
    return SerialQueue(rt.redis, "inbox")


def accept(rt: Runtime, msg: Inbound) -> bool:
    """Store a message from the webhook and schedule it; False for a repeated MessageSid."""
    if not rt.messages.save_inbound(msg, rt.settings.dedupe_ttl_seconds):
        return False
    inbox(rt).push(msg.contact_id, msg.sid)
    schedule(rt, msg.contact_id)
    return True


def schedule(rt: Runtime, contact_id: str) -> None:
    rt.queue(INBOUND_QUEUE).enqueue(
        "hotline.jobs.drain_inbox", contact_id, retry=ASSISTANT_RETRY, job_timeout=900
    )


def drain(rt: Runtime, contact_id: str) -> int:
    # A message that keeps failing is set aside for a supervisor (dead letters), not retried
    # ahead of the person's next messages for ever.
    s = rt.settings
    guarded = deadletters.guard(rt.redis, "inbox", contact_id, lambda sid: handle(rt, sid),
                                attempts=s.dead_letter_attempts,
                                transient_seconds=s.dead_letter_transient_hours * 3600,
                                dead=False)
    return inbox(rt).drain(contact_id, guarded)


def handle(rt: Runtime, sid: str) -> None:
    msg = rt.messages.load_inbound(sid)
    if msg is None or msg.state == "done":
        return
    contact = rt.contacts.get(msg.contact_id) or Contact(id=msg.contact_id)
    if msg.state != "answered":
        _decide(rt, msg, contact)
        msg = rt.messages.load_inbound(sid)
    if msg.state == "answered":
        _send_answer(rt, msg)
    rt.messages.set_inbound_state(sid, "done")
    if erasure.finish_erasure(rt, msg.contact_id):
        rt.redis.delete(MENU_KEY.format(msg.contact_id))
        log.info("erased the conversation of %s on request", msg.contact_id)


def _reply_language(rt: Runtime, contact: Contact, text: str) -> str:
    lang = language.resolve(contact.language, contact.language_chosen, text,
                            rt.settings.default_language)
    if lang != contact.language:
        rt.contacts.set_language(contact.id, lang, chosen=False)
    return lang


def _decide(rt: Runtime, msg: Inbound, contact: Contact) -> None:
    """Work out the replies to one message and save them on the message record."""
    question = form_mark.open_question(rt.redis, contact.id)
    kind = keywords.match(_every_channel(msg.body) or msg.body)
    if kind == keywords.OPT_OUT and question and keywords.is_cancel(msg.body):
        # Mid-registration, CANCEL/CANCELAR stops the registration, not all messages: the
        # form's answer says so and how to opt out (STOP) as well.
        kind = None
    if kind is not None:
        # A keyword alone is too short to detect a language from: the stored one, else the
        # keyword's own.
        lang = language.for_turn(None, contact.language, None, keywords.keyword_language(msg.body))
        if lang != contact.language:
            rt.contacts.set_language(contact.id, lang, chosen=False)
        if kind in (keywords.OPT_OUT, keywords.OPT_IN):
            # On the channel they wrote by; "STOP ALL" / "ALTO TODO" for every channel.
            rt.contacts.set_opted_out(contact.id, kind == keywords.OPT_OUT,
                                      channel=None if _every_channel(msg.body) else msg.channel)
            _save_system(rt, msg, lang, "keyword.stopped" if kind == keywords.OPT_OUT
                         else "keyword.started", COMPLIANCE)
        elif contact.opted_out_on(msg.channel):
            # They asked for no messages but START: no answer, and nothing to tell them later.
            rt.messages.set_inbound_state(msg.sid, "done", outcome="opted_out")
        elif kind == keywords.NOTIFY_ME:
            _notify_me(rt, msg, contact, lang)
        else:
            _save_system(rt, msg, lang, "keyword.help", REPLY)
        return

    if contact.opted_out_on(msg.channel):
        # Kept for the record and for operators; the person asked for no messages but START.
        rt.messages.set_inbound_state(msg.sid, "done", outcome="opted_out")
        return

    if escalations.with_operator(rt.redis, contact.id):
        # An operator holds this conversation: the assistant stays silent and the message is
        # in the transcript the operator is reading.
        rt.messages.set_inbound_state(msg.sid, "done", outcome="to_operator")
        return

    lang = _reply_language(rt, contact, msg.body)
    reason = sms.unreadable_reason(msg.body, msg.num_media)
    if reason is not None:
        _save_system(rt, msg, lang, f"unreadable.{reason}", REPLY)
        return

    text = _resolve_choice(rt, contact.id, msg.body)
    if text == msg.body and not question and sms.looks_like_id_number(text):
        # Nobody asked for it: say so, rather than guess, and keep the number out of Rasa.
        _save_system(rt, msg, lang, "unprompted.number", REPLY)
        return
    metadata = {"language": lang, "channel": msg.channel, "message_sid": msg.sid,
                "num_media": msg.num_media}
    try:
        replies = rt.assistant.send(contact.id, text, metadata)
    except AssistantUnavailable:
        _holding_notice(rt, msg, lang)
        raise
    if not replies:
        replies = [{"text": rt.catalogs.text("error.no_answer", lang)}]
    rt.messages.save_answer(msg.sid, [{"text": r.get("text") or "", "buttons": r.get("buttons")}
                                      for r in replies], lang)


# Said after STOP or START, it covers every channel, not only the one written by.
_EVERY_CHANNEL = {"all", "todo", "todos", "todas", "both", "ambos", "everything"}


def _every_channel(body: str) -> str | None:
    """The keyword of a "STOP ALL" / "ALTO TODO" message, or None for any other.

    >>> _every_channel("STOP ALL"), _every_channel(" alto  todo "), _every_channel("STOP")
    ('STOP', 'alto', None)
    >>> _every_channel("stop all of it"), _every_channel("todo bien")
    (None, None)
    """
    words = (body or "").split()
    if len(words) == 2 and words[1].casefold() in _EVERY_CHANNEL and keywords.match(words[0]) in (
            keywords.OPT_OUT, keywords.OPT_IN):
        return words[0]
    return None


def _notify_me(rt: Runtime, msg: Inbound, contact: Contact, lang: str) -> None:
    """AVISAME: remember to tell them when registration opens; if it is open now, say so."""
    status = program_status.load(rt.settings.program_status_file, rt.redis)
    if status.intake.open:
        # Nothing to wait for: `reg.intake_closed` said today is its open variant (how to
        # start), and a promise to tell them "if it opens" would be untrue.
        _save_system(rt, msg, lang, "reg.intake_closed", REPLY, status)
        return
    new = rt.contacts.subscribe(contact.id, contacts.INTAKE)
    _save_system(rt, msg, lang, "reg.notify_me_done" if new else "reg.notify_me_already", REPLY,
                 status)


def _resolve_choice(rt: Runtime, contact_id: str, body: str) -> str:
    """A reply to the last numbered menu becomes that option's payload."""
    raw = rt.redis.get(MENU_KEY.format(contact_id))
    if raw:
        payload = menus.pick(json.loads(raw), body)
        if payload is not None:
            rt.redis.delete(MENU_KEY.format(contact_id))
            return payload
    # Typed text starting with "/" would be parsed by Rasa as an intent: never let a person
    # inject one.
    return body.lstrip("/ ").strip() or body


def _save_system(rt: Runtime, msg: Inbound, lang: str, key: str, kind: str,
                 status: program_status.ProgramStatus | None = None) -> None:
    # HELP names who runs the hotline: the status says it, today's wording is its variant.
    status = status or program_status.load(rt.settings.program_status_file, rt.redis)
    text = answers.say(rt.catalogs, status, key, lang)
    rt.messages.save_answer(msg.sid, [{"text": text, "kind": kind}], lang)


def _holding_notice(rt: Runtime, msg: Inbound, lang: str) -> None:
    """Tell the person once per outage that their message is safe and will be answered."""
    if rt.redis.set(f"hl:holding:{msg.contact_id}", 1, nx=True,
                    ex=rt.settings.holding_notice_seconds):
        queue_message(rt, msg.contact_id, to=msg.sender, sender=msg.to,
                      body=rt.catalogs.text("error.assistant_delayed", lang), kind=NOTICE,
                      out_id=f"{msg.sid}-hold")


def _send_answer(rt: Runtime, msg: Inbound) -> None:
    parts, menu = [], []
    kind = REPLY
    for reply in msg.replies or []:
        kind = reply.get("kind", kind)
        text = (reply.get("text") or "").strip()
        buttons = reply.get("buttons") or []
        if buttons:
            menu = buttons
            text = "\n\n".join(p for p in (text, menus.render_options(buttons)) if p)
        if text:
            parts.append(text)
    # Numbers refer to the options the person last saw; an answer without options ends them.
    if menu:
        rt.redis.set(MENU_KEY.format(msg.contact_id), json.dumps(menu),
                     ex=rt.settings.menu_ttl_seconds)
    else:
        rt.redis.delete(MENU_KEY.format(msg.contact_id))
    # Reply on the channel the person used, from the number they wrote to.
    to = parse_address(msg.sender).twilio
    for i, body in enumerate(sms.split_for_sending(parts)):
        queue_message(rt, msg.contact_id, to=to, sender=msg.to, body=body, kind=kind,
                      out_id=f"{msg.sid}-{i}")
    metrics.message_answered(msg.channel, msg.language, msg.received_at)
