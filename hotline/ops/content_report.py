"""The content report: every answer in both languages, where it comes from, when it holds,
when it was reviewed, and what it costs by SMS, with a summary for whoever signs content off.

Texts are filled with realistic long values (long month names, two organizations, a long
registration summary) and counted as a person gets them by SMS: numbered menu included, folded
to GSM-7 when that is cheaper (`sms.for_sms`). An ops tool (`./hotline.sh content report`), not
content: it measures content with messaging's SMS rules and the registration summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from hotline.content import answers as answers_mod
from hotline.content.answers import Answer, base_of
from hotline.content.catalogs import Catalogs, format_day, placeholders
from hotline.content.program_status import STATES, Intake, Organization, ProgramStatus, Situation
from hotline.content.responses import ResponseShape
from hotline.messaging import menus, sms

SEGMENT_LIMIT = 3
# The registration summary is sent once; a wrong name or A-number costs far more than segments.
LONG = {"utter_ask_reg_confirm": 8}
STATUS_RESPONSE = "utter_program_status"

# A registration as a person would see it in the summary, with long realistic values.
SAMPLE_ANSWERS = {
    "reg_name": "María Guadalupe Hernández López", "reg_birth_date": "1988-09-15",
    "reg_citizenship": "SV", "reg_a_number": "012345678", "reg_case": "in_absentia",
    "reg_enrolled": "2019-09-01",
    "reg_location": {"country": "MX", "place": "México, Nuevo Laredo"},
    "reg_contact": "whatsapp", "reg_family": 3, "reg_vulnerability": ["illness", "violence"],
}
SAMPLE_ORGANIZATIONS = (
    Organization("Casa del Migrante Nuestra Señora de Guadalupe", "WhatsApp +52 000 000 0000",
                 ("registrations", "legal_help")),
    Organization("Red Binacional de Apoyo Legal", "+52 000 000 0001", ("registrations",)),
    Organization("Clínica Jurídica Fronteriza", "+52 000 000 0002", ("legal_help",)),
)
SAMPLE_RUN_BY = "Asociación Binacional de Ayuda a Personas Migrantes, A.C."


def sample_status(situation: Situation) -> ProgramStatus:
    """A status in this situation with long dates and names, as the worst realistic case."""
    return ProgramStatus(situation.state, date(2025, 9, 21), date(2026, 11, 30),
                         Intake(situation.intake_open, date(2026, 9, 30), date(2026, 11, 30)),
                         SAMPLE_ORGANIZATIONS, SAMPLE_RUN_BY)


def sample_values(lang: str, catalogs: Catalogs, status: ProgramStatus) -> dict[str, str]:
    from hotline.registration.summary import summary

    return {
        "reference": "K7RF-9TXH", "minutes": "120",
        "opens": "miércoles a las 8:00" if lang == "es" else "Wednesday at 8:00",
        "date": format_day(date(2026, 9, 30), lang),
        "time": "08:30" if lang == "es" else "8:30 AM",
        "place": "Albergue Casa del Migrante, Calle Independencia 1234, Matamoros",
        "what": "copia del acta de nacimiento de cada hijo" if lang == "es"
        else "a copy of each child's birth certificate",
        "summary": summary(SAMPLE_ANSWERS, lang, catalogs),
        # MY DATA and the other phone's code (registration.rights, registration.destinations).
        "code": "483921", "number": "***5678", "a_number": "***678", "name": "María",
        "family": "3", "days": "90", "vulnerable": "sí" if lang == "es" else "yes",
        "city": "Reynosa",  # the nearest known city of a shared pin (messaging.pins)
        "sms_number": "+19155550123",  # the hotline's SMS number (HOTLINE_NUMBERS)
        "language": "español" if lang == "es" else "English",
        "registration": catalogs.text(
            "mydata.registration", lang, reference="K7RF-9TXH", name="María", a_number="***678",
            place="Albergue Casa del Migrante, Calle Independencia 1234, Matamoros", family="3",
            vulnerable="sí" if lang == "es" else "yes"),
        **status.values(lang, catalogs),
    }


def situations() -> list[Situation]:
    return [Situation(state, is_open) for state in STATES for is_open in (True, False)]


def menu_keys(shapes: dict[str, ResponseShape]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The numbered options that follow each catalog id (a status text: the status answer's)."""
    out = {}
    for shape in shapes.values():
        if shape.buttons and shape.name != STATUS_RESPONSE:
            out.setdefault(shape.text_key, shape.buttons)
    status_buttons = shapes[STATUS_RESPONSE].buttons if STATUS_RESPONSE in shapes else ()
    for state in STATES:
        out[f"status_{state}"] = status_buttons
    return out


def as_sent(key: str, lang: str, catalogs: Catalogs, menus_by_key: dict,
            status: ProgramStatus) -> str:
    """The words a person gets for this catalog id, numbered options included (not folded)."""
    values = sample_values(lang, catalogs, status)
    raw = catalogs.raw(key, lang)
    text = catalogs.text(key, lang, **{k: values[k] for k in placeholders(raw)})
    buttons = menus_by_key.get(base_of(key)) or ()
    if buttons:
        options = [{"title": catalogs.text(t, lang), "payload": p} for t, p in buttons]
        text += "\n\n" + menus.render_options(options)
    return text


def status_for(entry: Answer) -> ProgramStatus:
    """A sample status in a situation the entry holds for (so its placeholders make sense)."""
    state = entry.states[0]
    return sample_status(Situation(state, "open" in entry.intake))


@dataclass
class Cost:
    encoding: str
    segments: int
    chars: int

    @classmethod
    def of(cls, text: str) -> Cost:
        sent = sms.for_sms(text)
        return cls("GSM-7" if sms.is_gsm7(sent) else "UCS-2", sms.segments(sent), len(sent))


def _holds(entry: Answer) -> str:
    states = "all states" if set(entry.states) == set(STATES) else ", ".join(entry.states)
    intake = "intake open or closed" if len(entry.intake) == 2 else f"intake {entry.intake[0]}"
    return f"{states}; {intake}"


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def build(catalogs: Catalogs, entries: dict[str, Answer], shapes: dict[str, ResponseShape],
          status: ProgramStatus, today: date, review_days: int, max_age_days: int
          ) -> tuple[str, dict]:
    """(Markdown, summary figures) of every answer, variants grouped under their base."""
    menus_by_key = menu_keys(shapes)
    late = {a.id for a in answers_mod.overdue(entries, today, review_days)}
    soon = {a.id for a in answers_mod.due_soon(entries, today, review_days)}
    costs: dict[tuple[str, str], Cost] = {}
    texts: dict[tuple[str, str], str] = {}
    for key in sorted(catalogs.keys()):
        sample = status_for(entries[key])
        for lang in catalogs.languages:
            texts[key, lang] = as_sent(key, lang, catalogs, menus_by_key, sample)
            costs[key, lang] = Cost.of(texts[key, lang])
    over = sorted({k for (k, _), c in costs.items() if c.segments > LONG.get(base_of(k),
                                                                             SEGMENT_LIMIT)})
    bases = sorted({base_of(k) for k in catalogs.keys()})
    figures = {
        "ids": len(catalogs.keys()), "bases": len(bases),
        "variants": len(catalogs.keys()) - len(bases),
        "overdue": len(late), "due_soon": len(soon),
        "oldest_review": min(a.reviewed_on for a in entries.values()).isoformat(),
        "sources": dict(sorted(Counter(s.seed for a in entries.values()
                                       for s in {x.seed: x for x in a.sources}.values()).items())),
        "travel": sum(a.travel for a in entries.values()),
        "ucs2": {lang: sum(1 for (_, in_lang), c in costs.items()
                           if in_lang == lang and c.encoding == "UCS-2")
                 for lang in catalogs.languages},
        "max_segments": {lang: max(c.segments for (k, in_lang), c in costs.items()
                                   if in_lang == lang and base_of(k) not in LONG)
                         for lang in catalogs.languages},
        "summary_segments": {lang: max(c.segments for (k, in_lang), c in costs.items()
                                       if in_lang == lang and base_of(k) in LONG)
                             for lang in catalogs.languages},
        "over_limit": over,
        "status_age_days": status.age_days(today),
        "status_stale": status.stale(today, max_age_days),
    }
    out = [f"# Content report, {today.isoformat()}", ""]
    out += [
        f"- **Ids:** {figures['ids']} ({figures['bases']} answers, {figures['variants']} variants),"
        f" each in {' and '.join(catalogs.languages)}; {figures['travel']} carry the border line",
        "- **Sources** (ids citing each): " + ", ".join(f"{k}: {v}" for k, v in
                                                       figures["sources"].items()),
        f"- **Review** (every {review_days} days): overdue {figures['overdue']}"
        + (f" ({', '.join(sorted(late))})" if late else "")
        + f"; due within 30 days {figures['due_soon']}; oldest review {figures['oldest_review']}",
        "- **SMS** (as sent after folding, menus included, long sample values): "
        + "; ".join(f"{lang}: {figures['ucs2'][lang]} sent as UCS-2, at most "
                    f"{figures['max_segments'][lang]} segments (the registration summary "
                    f"{figures['summary_segments'][lang]})" for lang in catalogs.languages)
        + f"; over the limit ({SEGMENT_LIMIT}, the summary {LONG['utter_ask_reg_confirm']}): "
        + (", ".join(over) or "none"),
        f"- **Program status:** {status.state} since {status.since}, checked {status.as_of}; "
        f"intake {'open' if status.intake.open else 'closed'} since {status.intake.since}, "
        f"checked {status.intake.as_of}; organizations: "
        + (", ".join(f"{o.name} ({', '.join(o.roles)})" for o in status.organizations) or "none")
        + f"; run by: {status.run_by or 'NOT SET'}",
    ]
    if figures["status_stale"]:
        out.append(f"- **WARNING: the program status was last verified {figures['status_age_days']}"
                   f" days ago (limit {max_age_days}).** Check it and run"
                   " `./hotline.sh status set`.")
    if not status.run_by:
        out.append("- **WARNING: who runs the hotline is not set** (`status set --run-by`): HELP "
                   "says the team's name is not published.")
    out.append("")
    for base in bases:
        out += [f"## {base}", ""]
        for key in [base] + sorted(k for k in catalogs.keys() if base_of(k) == base and k != base):
            if key not in catalogs.keys():
                continue
            entry = entries[key]
            if key != base:
                out += [f"### {key}", ""]
            review = f"{entry.reviewed_on} by {entry.reviewed_by}"
            if key in late:
                review += " — **OVERDUE**"
            elif key in soon:
                review += " — due within 30 days"
            out += [
                "- Sources: " + "; ".join(f"{s.seed}: {s.part}" for s in entry.sources),
                f"- Holds for: {_holds(entry)}"
                + ("; travel (border line)" if entry.travel else ""),
                f"- Reviewed: {review}",
            ]
            for lang in catalogs.languages:
                cost = costs[key, lang]
                out += [f"- {lang.upper()}: {cost.encoding}, {cost.segments} segment"
                        f"{'s' if cost.segments != 1 else ''} ({cost.chars} characters)", "",
                        _quote(texts[key, lang]), ""]
    return "\n".join(out).rstrip() + "\n", figures
