"""What supervisors must see when the machinery fails a person: the dead letters (work set aside
after failing too often) with a retry button, and a warning on every page while a conversation
an operator holds has messages nobody answered.

A retry marks the entry retried (once, whoever presses first), queues the `retry_dead_letter`
job that puts the work back where it came from, and is audited. Routes join the console's `bp`.
"""

from __future__ import annotations

import time

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hotline.handoff import queue as escalations
from hotline.messaging import deadletters
from hotline.runtime import OUTBOUND_QUEUE

from ..context import runtime
from .auth import supervisor_only
from .views import _audit, bp, contact_label

# A person's message in a held conversation unanswered this long raises the warning.
UNANSWERED_MINUTES = 5


def unanswered_held(now: float | None = None) -> list[dict]:
    """Held conversations whose last word is the person's, older than UNANSWERED_MINUTES."""
    rt = runtime()
    now = now or time.time()
    found = []
    for record in escalations.active(rt.redis):
        transcript = rt.messages.transcript(record["contact_id"])
        last = transcript[-1] if transcript else None
        if last and last.get("dir") == "in" and now - float(last["at"]) >= UNANSWERED_MINUTES * 60:
            minutes = int((now - float(last["at"])) // 60)
            warning = _("%(person)s has waited %(minutes)s minutes for an answer from "
                        "%(operator)s.") % {"person": contact_label(record["contact_id"]),
                                            "minutes": minutes,
                                            "operator": record.get("claimed_by")}
            found.append({**record, "minutes": minutes, "warning": warning})
    return found


@bp.app_template_filter("console_time")
def console_time(timestamp: float) -> str:
    """A moment as supervisors read it in a table (UTC, to the minute)."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp))


@bp.app_context_processor
def reliability_warnings():
    """For supervisors, on every page: held conversations left unanswered, and how many dead
    letters wait for a decision."""
    if not (getattr(current_user, "is_authenticated", False) and current_user.supervisor):
        return {"held_unanswered": [], "dead_letters_waiting": 0}
    return {"held_unanswered": unanswered_held(),
            "dead_letters_waiting": deadletters.waiting(runtime().redis)}


@bp.get("/dead-letters")
@login_required
@supervisor_only
def dead_letters():
    rt = runtime()
    return render_template("console/dead_letters.html",
                           entries=deadletters.listing(rt.redis),
                           retried=deadletters.listing(rt.redis, count=20,
                                                       state=deadletters.RETRIED))


@bp.post("/dead-letters/<entry_id>/retry")
@login_required
@supervisor_only
def dead_letter_retry(entry_id: str):
    rt = runtime()
    entry = deadletters.take_for_retry(rt.redis, entry_id, current_user.id)
    if entry is None:
        abort(409, _("This work was already retried, or is gone."))
    rt.queue(OUTBOUND_QUEUE).enqueue("hotline.jobs.retry_dead_letter", entry_id)
    _audit("dead_letter_retry", entry["contact_id"] or None, entry=entry_id,
           kind=entry["kind"], work=entry["line"] or entry["func"])
    return redirect(url_for("console.dead_letters"))
