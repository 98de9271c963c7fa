"""What happens to a message a person sent, in order, once it is safely stored.

Keywords first (compliance, HELP, AVISAME), then messages the assistant cannot read, then the
assistant itself.
Each message ends with a reply in the person's language, or, when the assistant is down, stays
at the head of the person's inbox until it can be answered.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import timedelta

from rq import Retry

from hotline import contacts, erasure, metrics
from hotline.contacts import Contact
from hotline.content import answers, program_status
from hotline.errors import AssistantUnavailable
from hotline.handoff import queue as escalations
from hotline.messaging import deadletters, flow, keywords, language, menus, pins, sms
from hotline.messaging.messages import BATCHED, REPEATED, REQUEUED, Inbound
from hotline.messaging.outbound import COMPLIANCE, NOTICE, REPLY, queue_message
from hotline.messaging.serial import SerialQueue
from hotline.registration import answers as reg_answers
from hotline.registration import destinations, form_mark, rights
from hotline.runtime import INBOUND_QUEUE, Runtime
from hotline.text import fold, normalize

log = logging.getLogger(__name__)

# Waits between attempts while the assistant is down: the message is never dropped, and the
# sweeper picks the inbox up again if every attempt here is used.
# While Rasa restarts (a minute or two) a retry comes every 15 s, so the person is answered soon
# after it is back; then further apart, about two hours in all before the dead-letter list.
ASSISTANT_RETRY = Retry(max=16, interval=[2, 5, 10, 15, 15, 15, 15, 15, 30, 60, 120, 300, 600,
                                          900, 1800, 3600])
MENU_KEY = "hl:menu:{}"
# A person's waiting drain job is assumed lost after this long (the sweeper also reschedules).
JOB_MARK_SECONDS = 120


def inbox(rt: Runtime) -> SerialQueue:
    return SerialQueue(rt.redis, "inbox")


def accept(rt: Runtime, msg: Inbound) -> bool:
    """Store a message from the webhook and schedule it; False for a repeated MessageSid.

    Seen, stored and queued in one step (a crash leaves all or none). A repeat of a message
    still unanswered is queued and scheduled again: Twilio's retry after a crash or a lost job
    is how it gets answered, never discarded.
    """
    outcome = rt.messages.accept_inbound(msg, rt.settings.dedupe_ttl_seconds,
                                         queue=inbox(rt).keys(msg.contact_id))
    if outcome == REPEATED:
        return False
    if outcome == REQUEUED:
        # Its job may be lost (a killed worker); one still waiting needs no company.
        schedule(rt, msg.contact_id)
        return False
    s = rt.settings
    flow.count_message(rt.redis, msg.contact_id)
    # Only a message that arrives while an earlier one of theirs is still unanswered counts
    # towards "answered together": someone who waits for each answer (a registration answered
    # quickly) is never told to slow down.
    if len(inbox(rt).pending(msg.contact_id)) > 1 and flow.note_message(
            rt.redis, msg.contact_id, s.inbound_flood_per_minute, s.inbound_flood_notice_seconds):
        _tell_answered_together(rt, msg)
    schedule(rt, msg.contact_id)
    return True


def _tell_answered_together(rt: Runtime, msg: Inbound) -> None:
    contact = rt.contacts.get(msg.contact_id)
    lang = (contact.language if contact and contact.language else rt.settings.default_language)
    # `sender` is Twilio's own form of the person's address on the channel they used.
    queue_message(rt, msg.contact_id, to=msg.sender, sender=msg.to,
                  body=rt.catalogs.text("flow.answered_together", lang), kind=NOTICE,
                  out_id=f"{msg.sid}-flow")


def schedule(rt: Runtime, contact_id: str, delay: float = 0, force: bool = False) -> None:
    """One drain job per person waits in the queue at a time (a flood adds messages to their
    line, not jobs to everyone's queue). `force`: a job regardless, and no mark that would keep
    a new message from getting its own (the sweeper, which finds work whose job may be lost; a
    look-again after a held line's lock runs out)."""
    if not force and not flow.claim_job(rt.redis, contact_id, JOB_MARK_SECONDS + int(delay)):
        return
    queue = rt.queue(INBOUND_QUEUE)
    if delay > 0:
        queue.enqueue_in(timedelta(seconds=delay), "hotline.jobs.drain_inbox", contact_id,
                         retry=ASSISTANT_RETRY, job_timeout=900)
    else:
        queue.enqueue("hotline.jobs.drain_inbox", contact_id, retry=ASSISTANT_RETRY,
                      job_timeout=900)


def drain(rt: Runtime, contact_id: str) -> int:
    """One job's share of a person's line: `inbound_turns_per_job` turns, then the job goes to
    the back of the queue so other people are answered in between; a person over their pace
    waits for their next turn while their messages gather into it."""
    flow.job_started(rt.redis, contact_id)
    line = inbox(rt)
    pending = line.pending(contact_id)
    if not pending:
        return 0
    if held := line.held_for(contact_id):
        # Another worker is answering: it queues what it leaves. If it was killed, its lock
        # runs out within seconds: come back then, not at the sweeper's next round.
        schedule(rt, contact_id, delay=held + 1, force=True)
        return 0
    s = rt.settings
    wait = flow.take_turn(rt.redis, contact_id, s.inbound_turns_per_minute, s.inbound_turn_burst)
    # The pace holds back a backlog, never someone with one message waiting: they are waiting
    # for each answer (a registration answered quickly), and the reply's round trip already
    # paces them; unless they write faster than anyone types (a script, a stuck phone), when
    # answering each message as it comes would bill a reply per message.
    if wait > 0 and (len(pending) > 1 or flow.flooding(rt.redis, contact_id,
                                                         s.inbound_flood_per_minute)):
        schedule(rt, contact_id, delay=wait)
        return 0
    # A message that keeps failing is set aside for a supervisor (dead letters), not retried
    # ahead of the person's next messages for ever.
    guarded = deadletters.guard(rt.redis, "inbox", contact_id, lambda sid: handle(rt, sid),
                                attempts=s.dead_letter_attempts,
                                transient_seconds=s.dead_letter_transient_hours * 3600,
                                dead=False)
    handled = line.drain(contact_id, guarded, max_items=max(s.inbound_turns_per_job, 1),
                         free=lambda sid: _nothing_left(rt, sid))
    if line.pending(contact_id):
        # To the back of the queue, even behind a delayed job of this person's: it is this
        # job that knows the line has more.
        schedule(rt, contact_id, force=True)
    return handled


def _nothing_left(rt: Runtime, sid: str) -> bool:
    """Answered already, or answered together with an earlier message."""
    return rt.messages.inbound_state(sid) in (None, "done", BATCHED)


def handle(rt: Runtime, sid: str) -> bool:
    """Answer one message; False when there was nothing left to do (answered earlier, or
    answered together with an earlier one), which a drain does not count as a turn."""
    msg = rt.messages.load_inbound(sid)
    if msg is None or msg.state == "done":
        return False
    if msg.state == BATCHED:
        # Its words went to the assistant with an earlier message's, whose answer covers it.
        rt.messages.set_inbound_state(sid, "done", outcome="batched")
        return False
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
    return True


def _reply_language(rt: Runtime, contact: Contact, text: str) -> str:
    lang = language.resolve(contact.language, contact.language_chosen, text,
                            rt.settings.default_language)
    if lang != contact.language:
        rt.contacts.set_language(contact.id, lang, chosen=False)
    return lang


def _decide(rt: Runtime, msg: Inbound, contact: Contact) -> None:
    """Work out the replies to one message and save them on the message record."""
    # One normal form of the text (`hotline.text.normalize`: "S\u200bTOP" is STOP) for the
    # keywords, the form's readers and the assistant alike; the stored message keeps what the
    # person sent.
    msg = dataclasses.replace(msg, body=normalize(msg.body))
    question = form_mark.open_question(rt.redis, contact.id)
    if msg.opt_out:
        _twilio_keyword(rt, msg, contact)
        return
    kind = keywords.match(_every_channel(msg.body) or msg.body)
    if kind == keywords.OPT_OUT and question and keywords.is_cancel(msg.body):
        # Mid-registration, CANCEL/CANCELAR stops the registration, not all messages: the
        # form's answer says so and how to opt out (STOP) as well.
        kind = None
    if kind is not None:
        # A keyword alone is too short to detect a language from: the stored one, else the
        # keyword's own ("ALTO TODO" is Spanish as ALTO is).
        lang = language.for_turn(None, contact.language, None,
                                 keywords.keyword_language(_every_channel(msg.body) or msg.body))
        if lang != contact.language:
            rt.contacts.set_language(contact.id, lang, chosen=False)
        if kind == keywords.OPT_OUT:
            # On the channel they wrote by; "STOP ALL" / "ALTO TODO" for every channel.
            _stop(rt, msg, contact, lang, every=_every_channel(msg.body) is not None)
        elif kind == keywords.OPT_IN:
            every = _every_channel(msg.body) is not None
            rt.contacts.set_opted_out(contact.id, False, channel=None if every else msg.channel)
            _save_system(rt, msg, lang, "keyword.started", COMPLIANCE)
        elif contact.opted_out_on(msg.channel) and kind != keywords.HELP:
            # They asked for no messages but START (and HELP, which carriers expect answered):
            # no answer, and nothing to tell them later.
            rt.messages.set_inbound_state(msg.sid, "done", outcome="opted_out")
        elif kind == keywords.NOTIFY_ME:
            _notify_me(rt, msg, contact, lang)
        elif kind == keywords.MY_DATA:
            _my_data(rt, msg, contact, lang)
        else:
            # After STOP, HELP is still answered: as a compliance message, which the opt-out
            # does not hold back.
            _save_system(rt, msg, lang, "keyword.help",
                         COMPLIANCE if contact.opted_out_on(msg.channel) else REPLY)
        return

    if contact.opted_out_on(msg.channel):
        # Kept for the record and for operators; the person asked for no messages but START.
        rt.messages.set_inbound_state(msg.sid, "done", outcome="opted_out")
        return

    if _confirms_other_phone(rt, msg, contact):
        return

    if escalations.with_operator(rt.redis, contact.id):
        # An operator holds this conversation: the assistant stays silent and the message is
        # in the transcript the operator is reading.
        rt.messages.set_inbound_state(msg.sid, "done", outcome="to_operator")
        return

    lang = _reply_language(rt, contact, msg.body)
    answered, city = _pin(rt, msg, question, lang)
    if answered:
        return
    reason = sms.unreadable_reason(msg.body, msg.num_media)
    if reason == sms.UNREADABLE_MEDIA:
        _media_only(rt, msg, lang)
        return
    if reason is not None:
        _save_system(rt, msg, lang, f"unreadable.{reason}", REPLY)
        return

    text = city or _resolve_choice(rt, contact.id, msg.body)
    if text == msg.body and not question and sms.looks_like_id_number(text):
        # Nobody asked for it: say so, rather than guess, and keep the number out of Rasa.
        _save_system(rt, msg, lang, "unprompted.number", REPLY)
        return
    # A menu pick or a pin stands alone (its meaning is not its words); fixed as alone too,
    # so a retry (the menu gone by then) cannot gather others into an answered turn.
    batch = _batch(rt, msg, alone=text != _typed(msg.body))
    if len(batch) > 1:
        # Messages that queued up while an earlier turn ran (or while the person was over their
        # pace) are one turn: one answer, not one billed reply per line.
        text = "\n".join(_typed(m.body) for m in batch)
    metadata = {"language": lang, "channel": msg.channel, "message_sid": msg.sid,
                "num_media": msg.num_media}
    if len(batch) > 1:
        metadata["batch"] = [m.sid for m in batch]
    try:
        replies = rt.assistant.send(contact.id, text, metadata)
    except AssistantUnavailable:
        _holding_notice(rt, msg, lang)
        raise
    confidence = keywords.stop_request_confidence(replies)
    if confidence is not None:
        # The model read a request to stop that no keyword matched: sure enough, it is a STOP
        # like any other (one confirmation); otherwise, or when the words only look like one
        # ("no dejen de escribirme"), the person is asked, since a wrong opt-out would silence
        # the notices about their case.
        if keywords.model_stop_is_sure(text, confidence, rt.settings.stop_confidence):
            log.info("a request to stop read by the model (%.2f)", confidence)
            _stop(rt, msg, contact, lang, every=False)
        else:
            _save_system(rt, msg, lang, "stop.ask", REPLY)
        return
    if not replies:
        replies = [{"text": rt.catalogs.text("error.no_answer", lang)}]
    if msg.num_media and rt.messages.media_notice_due(contact.id):
        # Their words are answered; they also learn the picture was not seen (once a day).
        replies = [{"text": rt.catalogs.text("media_not_seen", lang)}, *replies]
    rt.messages.save_answer(msg.sid, [{"text": r.get("text") or "", "buttons": r.get("buttons")}
                                      for r in replies], lang)


BATCH_MAX = 10


def _batch(rt: Runtime, msg: Inbound, alone: bool = False) -> list[Inbound]:
    """This message and the plain-text ones queued right behind it, fixed on its record the
    first time: a retried turn sends Rasa exactly the words of the first attempt (Rasa skips a
    turn it already ran for this MessageSid and returns its answer)."""
    pending = [] if alone else inbox(rt).pending(msg.contact_id)
    following = pending[pending.index(msg.sid) + 1:] if msg.sid in pending else []
    candidates = []
    for sid in following[:BATCH_MAX - 1]:
        other = rt.messages.load_inbound(sid)
        if (other is None or other.state != "received" or other.opt_out or other.location
                or other.num_media or keywords.match(_every_channel(other.body) or other.body)
                or sms.unreadable_reason(other.body, other.num_media)
                or sms.looks_like_id_number(other.body)):
            break  # a keyword, a picture, a pin or a number keeps its own place in the line
        candidates.append(sid)
    members = rt.messages.freeze_batch(msg.sid, candidates)
    loaded = [rt.messages.load_inbound(sid) for sid in members]
    return [msg] + [m for m in loaded if m is not None]


def _stop(rt: Runtime, msg: Inbound, contact: Contact, lang: str, every: bool) -> None:
    """Opt the person out on the channel they wrote by (every channel for STOP ALL) and say
    so, once: a STOP repeated by someone already stopped changes nothing and is not answered
    again (each answer costs them and us a message)."""
    if _already_stopped(contact, msg.channel, every):
        rt.messages.set_inbound_state(msg.sid, "done", outcome="opted_out")
        return
    rt.contacts.set_opted_out(contact.id, True, channel=None if every else msg.channel)
    _save_system(rt, msg, lang, stop_confirmation(msg.channel, every), COMPLIANCE)


def _already_stopped(contact: Contact, channel: str, every: bool) -> bool:
    """True when this STOP would change nothing: that channel (or, for STOP ALL, every
    channel) is already stopped."""
    if every:
        return all(contact.opted_out_on(ch) for ch in contacts.CHANNELS)
    return contact.opted_out_on(channel)


def _typed(body: str) -> str:
    # Typed text starting with "/" would be parsed by Rasa as an intent: never let a person
    # inject one.
    return body.lstrip("/ ").strip() or body


# Said after STOP or START, it covers every channel, not only the one written by.
_EVERY_CHANNEL = {"all", "todo", "todos", "todas", "both", "ambos", "everything"}


# Politeness around STOP ALL that still leaves it STOP ALL ("stop all please", "ya alto todo").
_COURTESY = {"please", "pls", "plz", "plis", "porfa", "porfavor", "por", "favor", "xfa", "ya",
             "now", "thanks", "thank", "you", "gracias", "ok"}


def _every_channel(body: str) -> str | None:
    """The keyword of a "STOP ALL" / "ALTO TODO" message, or None for any other.

    >>> _every_channel("STOP ALL"), _every_channel(" alto  todo "), _every_channel("STOP")
    ('STOP', 'alto', None)
    >>> _every_channel("stop all please"), _every_channel("Ya, ALTO TODO por favor.")
    ('stop', 'ALTO')
    >>> _every_channel("stop all of it"), _every_channel("todo bien"), _every_channel("please all")
    (None, None, None)
    """
    words = [w for w in (body or "").split() if fold(w) and fold(w) not in _COURTESY]
    if len(words) == 2 and fold(words[1]) in _EVERY_CHANNEL and keywords.match(words[0]) in (
            keywords.OPT_OUT, keywords.OPT_IN):
        return fold(words[0]) if not words[0].isalpha() else words[0]
    return None


def stop_confirmation(channel: str, every: bool) -> str:
    """The catalog id confirming a STOP: it names what stopped, since a STOP by SMS leaves
    WhatsApp open (and the other way round), and says how to stop everything and come back.

    >>> stop_confirmation("sms", False), stop_confirmation("whatsapp", False)
    ('keyword.stopped.sms', 'keyword.stopped.whatsapp')
    >>> stop_confirmation("sms", True)
    'keyword.stopped.all'
    """
    return "keyword.stopped.all" if every else f"keyword.stopped.{channel}"


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


def _my_data(rt: Runtime, msg: Inbound, contact: Contact, lang: str) -> None:
    """MY DATA / MIS DATOS: what the hotline keeps about them, masked (registration.rights)."""
    text = rights.summary(rt.catalogs, lang, contact.number, contact.language,
                          rt.registrations.latest_for_contact(contact.id),
                          rt.settings.message_ttl_seconds // 86400, rt.settings.retention_days)
    rt.messages.save_answer(msg.sid, [{"text": text, "kind": REPLY}], lang)


def _confirms_other_phone(rt: Runtime, msg: Inbound, contact: Contact) -> bool:
    """A reply from a phone a registrant named for their news, while its code waits: the code
    confirms it (registration.destinations); anything else goes on to the assistant."""
    places = destinations.Destinations(rt.redis, rt.vault)
    reference = places.pending(contact.id)
    if reference is None or destinations.read_code(msg.body) is None:
        return False
    reg = rt.registrations.get(reference, actor=None)
    lang = reg.language if reg and reg.language in rt.catalogs.languages else (
        contact.language or rt.settings.default_language)
    confirmed = places.confirm(contact.id, msg.body)
    if confirmed:
        rt.registrations.audit(confirmed, "person", "other_phone_confirmed")
    key = "dest_confirm.ok" if confirmed else "dest_confirm.wrong"
    rt.messages.save_answer(msg.sid, [{"text": rt.catalogs.text(key, lang), "kind": REPLY}],
                            lang)
    return True


def _resolve_choice(rt: Runtime, contact_id: str, body: str) -> str:
    """A reply to the last numbered menu becomes that option's payload."""
    raw = rt.redis.get(MENU_KEY.format(contact_id))
    if raw:
        payload = menus.pick(json.loads(raw), body)
        if payload is not None:
            rt.redis.delete(MENU_KEY.format(contact_id))
            return payload
    return _typed(body)


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
    # The webhook stored `sender` in Twilio's form on the channel used (a WhatsApp user id
    # included), and `to` as the hotline's own number on that channel.
    to = msg.sender
    for i, body in enumerate(sms.split_for_sending(parts)):
        queue_message(rt, msg.contact_id, to=to, sender=msg.to, body=body, kind=kind,
                      out_id=f"{msg.sid}-{i}")
    metrics.message_answered(msg.channel, msg.language, msg.received_at)


# --- what Twilio read for us, pictures and pins ---------------------------------------------
def _twilio_keyword(rt: Runtime, msg: Inbound, contact: Contact) -> None:
    """Twilio's Advanced Opt-Out took the message for STOP, START or HELP and has already
    answered it with the confirmation configured on the Messaging Service: honour it, and do not
    answer twice (after STOP, Twilio would refuse our reply anyway)."""
    if msg.opt_out in ("STOP", "START"):
        rt.contacts.set_opted_out(contact.id, msg.opt_out == "STOP", channel=msg.channel)
    rt.messages.set_inbound_state(msg.sid, "done", outcome=f"twilio_{msg.opt_out.lower()}")


def _media_only(rt: Runtime, msg: Inbound, lang: str) -> None:
    """A picture, audio or file with no words: said once a day that only text is read (the
    media stay in the record, for an operator); further ones that day get no reply."""
    if rt.messages.media_notice_due(msg.contact_id):
        _save_system(rt, msg, lang, "media_only_text", REPLY)
    else:
        rt.messages.set_inbound_state(msg.sid, "done", outcome="media_again")


def _pin(rt: Runtime, msg: Inbound, question: str | None, lang: str) -> tuple[bool, str | None]:
    """A shared pin, or the yes/no to the city a pin was near: (answered here, city to give the
    registration form as the person's answer)."""
    if msg.location is not None:
        if question == "reg_location":
            city = pins.nearest(msg.location["latitude"], msg.location["longitude"],
                                pins.load_cities())
            if city is None:
                _save_system(rt, msg, lang, "location_unknown", REPLY)
            else:
                pins.ask(rt.redis, msg.contact_id, city)
                _save_reply(rt, msg, lang, rt.catalogs.text("location_confirm", lang,
                                                             city=city.name))
        else:
            # Nothing is kept outside the form: say what the hotline can do with a place.
            key = "location_not_asked" if question else "location_outside_form"
            _save_system(rt, msg, lang, key, REPLY)
        return True, None
    city = pins.take(rt.redis, msg.contact_id) if question == "reg_location" else None
    if city is None:
        return False, None
    said = reg_answers.yes_no(msg.body, numbered=False)
    if said is None:
        return False, None  # they typed something else: most likely the place itself
    if not said:
        _save_system(rt, msg, lang, "location_type_city", REPLY)
        return True, None
    return False, city


def _save_reply(rt: Runtime, msg: Inbound, lang: str, text: str) -> None:
    rt.messages.save_answer(msg.sid, [{"text": text, "kind": REPLY}], lang)
