"""The console's program status page (supervisors): the status in force, changing it, and
correcting the people told an answer a change made untrue; and the warning every page shows
supervisors while the status is stale or content reviews are overdue.

A change applies to the next message (the renderer loads the status per message) and is
recorded with the status before it (`content.corrections.set_status`) and in the audit log.
Corrections are counted first (a dry run), then sent on a second, confirmed request that names
the change it was counted for, so a change made meanwhile is never corrected unseen.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hotline.content import answers, corrections, program_status
from hotline.outreach import corrections as sending

from ..context import runtime
from .auth import supervisor_only
from .views import _audit, bp


@lru_cache(maxsize=4)
def _overdue(path: str, modified: float, today: date, review_days: int) -> int:
    """How many answers are overdue for review; read again only when answers.yml changes."""
    return len(answers.overdue(answers.load(Path(path)), today, review_days))


@bp.app_context_processor
def status_warnings():
    """Warnings on every console page for supervisors: a stale status, overdue reviews."""
    if not (getattr(current_user, "is_authenticated", False) and current_user.supervisor):
        return {"status_warnings": []}
    settings = runtime().settings
    today = date.today()
    warnings = []
    try:
        status = program_status.load(settings.program_status_file, runtime().redis)
    except program_status.StatusError:
        warnings.append(_("The program status in force cannot be read: set it again."))
    else:
        if status.stale(today, settings.status_max_age_days):
            warnings.append(_("The program status was last verified %(days)s days ago: check "
                              "the state and the intake, and set them again.")
                            % {"days": status.age_days(today)})
    path = settings.answers_file
    overdue = _overdue(str(path), path.stat().st_mtime, today, settings.content_review_days)
    if overdue:
        warnings.append(_("%(count)s answers are overdue for review against their sources "
                          "(./hotline.sh content report).") % {"count": overdue})
    return {"status_warnings": warnings}


def _days() -> int:
    """The period to look back at, from the request; within what is kept."""
    try:
        days = int(request.values.get("days") or corrections.DEFAULT_DAYS)
    except ValueError:
        abort(400, "days is a number")
    return max(1, min(days, runtime().settings.told_days))


def _page(error: str | None = None, result: dict | None = None, code: int = 200):
    rt = runtime()
    status = program_status.load(rt.settings.program_status_file, rt.redis)
    change = corrections.last_change(rt.redis)
    days = _days()
    plan = sending.plan(rt, change, days) if change else None
    return render_template(
        "console/status.html", status=status, states=program_status.STATES,
        roles=program_status.ROLES, change=change, plan=plan, days=days, error=error,
        result=result, today=corrections.today(rt.settings),
        stale=status.stale(date.today(), rt.settings.status_max_age_days),
        age_days=status.age_days(date.today())), code


@bp.get("/status")
@login_required
@supervisor_only
def status_page():
    return _page()


def _from_form(form) -> program_status.ProgramStatus:
    """The status the form describes; raises StatusError saying what is wrong."""
    organizations = [program_status.Organization.parse(line).as_mapping()
                     for line in (form.get("organizations") or "").splitlines() if line.strip()]
    if form.get("intake") not in ("open", "closed"):
        raise program_status.StatusError("intake is open or closed")
    return program_status.ProgramStatus.from_mapping({
        "state": form.get("state") or "", "since": form.get("since") or "",
        "as_of": form.get("as_of") or "",
        "intake": {"open": form.get("intake") == "open", "since": form.get("intake_since") or "",
                   "as_of": form.get("intake_as_of") or ""},
        "organizations": organizations, "run_by": (form.get("run_by") or "").strip() or None})


@bp.post("/status")
@login_required
@supervisor_only
def status_change():
    rt = runtime()
    try:
        new = _from_form(request.form)
    except program_status.StatusError as exc:
        return _page(error=f"{_('The status was not saved:')} {exc}", code=400)
    change = corrections.set_status(rt, new, current_user.id)
    _audit("status_set", change=change.id, state=new.state, since=new.since.isoformat(),
           as_of=new.as_of.isoformat(), intake="open" if new.intake.open else "closed",
           organizations=len(new.organizations))
    return redirect(url_for("console.status_page"))


@bp.post("/status/corrections")
@login_required
@supervisor_only
def corrections_send():
    rt = runtime()
    change = corrections.last_change(rt.redis)
    if change is None:
        abort(409, "no status change recorded")
    if request.form.get("change") != change.id:
        # Counted for another change: count again before anything is sent.
        return _page(error=_("The status changed meanwhile: look at the new count first."),
                     code=409)
    confirmed = request.form.get("confirm") == "1"
    plan = sending.plan(rt, change, _days())
    result = sending.send(rt, plan, current_user.id, dry_run=not confirmed)
    if confirmed:
        _audit("corrections_sent", change=change.id, sent_to=result["sent_to"],
               broadcast=result["broadcast"], days=result["days"])
    return _page(result=result)
