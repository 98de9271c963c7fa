"""What the assistant did not understand, for supervisors to teach it: the messages that got the
clarifying menu or "I still don't understand" over the last days, grouped, with what the person
got next; a supervisor labels one with the topic it should have been (audited), and
`./hotline.sh nlu export-labeled` turns the labels into masked training examples.

Reading these texts is reading people's messages: supervisors only, and the page view is
audited like reading a conversation. Routes join the console's `bp`.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hotline.config import PROJECT_ROOT
from hotline.messaging import misunderstood

from ..context import runtime
from .auth import supervisor_only
from .views import _audit, bp

DAYS = (1, 7, 30)


def topics() -> list[str]:
    """The topics the assistant is trained on (one file per topic in nlu_data/en/)."""
    return sorted(p.stem for p in (PROJECT_ROOT / "nlu_data" / "en").glob("*.yml"))


@bp.get("/not-understood")
@login_required
@supervisor_only
def not_understood():
    rt = runtime()
    days = request.args.get("days", type=int) or 7
    days = days if days in DAYS else 7
    entries = misunderstood.recent(rt.redis, rt.vault, days)
    _audit("read_not_understood", days=days, count=len(entries))
    return render_template("console/not_understood.html", groups=misunderstood.grouped(entries),
                           days=days, choices=DAYS, topics=topics(), total=len(entries))


@bp.post("/not-understood/<entry_id>/label")
@login_required
@supervisor_only
def label_not_understood(entry_id: str):
    topic = request.form.get("topic", "")
    if topic not in topics():
        abort(400, "unknown topic")
    rt = runtime()
    if not misunderstood.label(rt.redis, entry_id, topic, current_user.id):
        abort(404, "that message is no longer kept")
    _audit("label_not_understood", entry=entry_id, topic=topic)
    return redirect(url_for("console.not_understood", days=request.form.get("days", 7)))
