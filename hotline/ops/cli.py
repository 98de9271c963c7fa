"""`./hotline.sh chat | train | status | corrections ...`: the commands people run by hand.

Every command reaches the running development stack through one composition root, `_runtime()`.
Bad input ends as `error: ...` with exit code 2 and argparse's usage errors as argparse prints
them; anything else is a bug and keeps its traceback. Top of the import order: may import any
capability.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import date
from pathlib import Path

from redis.exceptions import ConnectionError as RedisConnectionError

from hotline.config import ConfigError, Settings, running_stack_environ
from hotline.runtime import Runtime

# bench/inbound_latency.py reads the running stack's environment through this name.
_run_env = running_stack_environ


class UsageError(ValueError):
    """The arguments do not fit the command: shown with the command's usage line."""


def _runtime() -> Runtime:
    """The CLI's one composition root: the `Runtime` of the running development stack, from
    var/run.env when `./hotline.sh run` wrote one, under the environment (which wins)."""
    return Runtime(Settings.from_env(running_stack_environ()))


def cmd_chat(args) -> int:
    from hotline.ops.chat import Phone, interactive

    settings = _runtime().settings
    if not settings.twilio_api_base_url or not settings.hotline_numbers:
        print("error: no running hotline with a sandbox found (start it with ./hotline.sh run)",
              file=sys.stderr)
        return 1
    numbers = settings.hotline_numbers
    wanted = "whatsapp" if args.whatsapp else "sms"
    hotline = next((n for n in numbers if n.startswith("whatsapp:") == args.whatsapp), numbers[0])
    phone = Phone(
        gateway_url=f"http://127.0.0.1:{settings.port}",
        sandbox_url=settings.twilio_api_base_url, account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        number=args.number or "+52155" + "".join(secrets.choice("0123456789") for _ in range(8)),
        hotline_number=hotline, channel=wanted,
    )
    if args.send is not None:
        phone.new_messages()
        response = phone.send(args.send)
        if response.status_code != 200:
            print(f"gateway answered {response.status_code}", file=sys.stderr)
            return 1
        for message in phone.wait_for(1, timeout=args.timeout):
            print(message["body"])
        return 0
    interactive(phone)
    return 0


def cmd_train(args) -> int:
    from hotline.ops.training import ensure_trained

    print(f"model: {ensure_trained()}")
    return 0


def cmd_eval(args) -> int:
    from hotline.ops.evaluation import main as evaluate

    return evaluate(cv=args.cv)


def cmd_nlu(args) -> int:
    from hotline.config import PROJECT_ROOT
    from hotline.ops.learning import export_labeled

    out = Path(args.out) if args.out else PROJECT_ROOT / "var" / "nlu"
    counts = export_labeled(_runtime(), out)
    for lang, n in counts.items():
        print(f"{lang}: {n} labelled examples -> {out / f'labeled_{lang}.yml'}")
    if not counts:
        print("no labelled messages yet (console: Not understood)")
    return 0


def cmd_status(args) -> int:
    """Show or change the program's dated status (no retraining, no restart)."""
    from redis.exceptions import ConnectionError as RedisDown

    from hotline.content import corrections, program_status

    rt = _runtime()
    settings, redis = rt.settings, rt.redis
    change = None
    try:
        if args.action == "set":
            current = program_status.load(settings.program_status_file, redis)
            change = corrections.set_status(rt, _status_changes(current, args, date.today()), "cli")
        elif args.action == "clear":
            change = corrections.set_status(rt, None, "cli")
        status = program_status.load(settings.program_status_file, redis)
    except RedisDown:
        if args.action != "show":
            print("error: no running hotline (Redis) to store the change in; start it with "
                  "./hotline.sh run, or edit content/program_status.yml", file=sys.stderr)
            return 1
        print("(no running hotline: showing content/program_status.yml)", file=sys.stderr)
        status = program_status.load_file(settings.program_status_file)
    print(_describe_status(status, date.today(), settings.status_max_age_days))
    if change is not None:
        _print_outdated(rt, change, args.days)
    return 0


def _print_outdated(rt, change, days: int) -> None:
    """Who was told what this change made untrue, and how to correct them."""
    from hotline.content import corrections
    from hotline.outreach import corrections as sending

    try:
        plan = sending.plan(rt, change, days)
    except ConfigError as exc:
        # The status is set; only the count needs the contacts (and so the master secret).
        print(f"cannot count who received answers this change makes outdated ({exc}); "
              "the console's Program status page shows it", file=sys.stderr)
        return
    print(corrections.describe(plan.outdated, plan.count)
          + (f"; {plan.opted_out} more opted out" if plan.opted_out else ""))
    if plan.count:
        print(f"send them a correction: ./hotline.sh corrections send --days {days} "
              "(a dry run; add --yes to send)")


def cmd_corrections(args) -> int:
    """Correct the people told an answer the last status change (or a content edit) made
    untrue: a dry run unless --yes."""
    from hotline.content import corrections
    from hotline.outreach import corrections as sending

    if args.days < 1:
        raise UsageError("--days is a number of days, 1 or more")
    rt = _runtime()
    change = corrections.last_change(rt.redis)
    if change is None:
        raise ValueError("no status change recorded yet (./hotline.sh status set ... records "
                         "one)")
    plan = sending.plan(rt, change, args.days)
    result = sending.send(rt, plan, actor="cli", dry_run=not args.yes)
    languages = ", ".join(f"{k}: {v}" for k, v in sorted(result["by_language"].items()))
    channels = ", ".join(f"{k}: {v}" for k, v in sorted(result["by_channel"].items()))
    print(f"change {change.id} of {change.day} ({change.before.state} -> {change.after.state})")
    print(corrections.describe(plan.outdated, plan.count))
    print(f"corrections: {plan.count} ({languages or 'nobody'}; {channels or 'no channel'}); "
          f"opted out, not sent: {plan.opted_out}")
    for lang, text in sorted(result["texts"].items()):
        print(f"--- {lang}\n{text}")
    if result["dry_run"]:
        if plan.count:
            print("dry run: nothing sent; add --yes to send")
        return 0
    if result["broadcast"]:
        print(f"sent to {result['sent_to']} as broadcast {result['broadcast']} "
              f"(./hotline.sh broadcast report {result['broadcast']} --watch)")
    else:
        print("nothing to send")
    return 0


def _status_changes(current, args, today: date):
    """The status with what the operator changed; a changed fact is checked today unless told."""
    from hotline.content import program_status

    changes = {}
    if args.state or args.since or args.as_of:
        changes = {"state": args.state or current.state, "since": args.since or current.since,
                   "as_of": args.as_of or today}
    intake = {"open": current.intake.open, "since": current.intake.since,
              "as_of": current.intake.as_of}
    if args.intake or args.intake_since or args.intake_as_of:
        is_open = intake["open"] if args.intake is None else args.intake == "open"
        since = args.intake_since or (intake["since"] if is_open == intake["open"] else today)
        intake = {"open": is_open, "since": since, "as_of": args.intake_as_of or today}
    data = {**current.as_mapping(), **{k: str(v) for k, v in changes.items()}, "intake": {
        "open": intake["open"], "since": str(intake["since"]), "as_of": str(intake["as_of"])}}
    if args.clear_orgs:
        data["organizations"] = []
    if args.org:
        data["organizations"] = [program_status.Organization.parse(o).as_mapping()
                                 for o in args.org]
    if args.run_by is not None:
        data["run_by"] = args.run_by
    return program_status.ProgramStatus.from_mapping(data)


def _describe_status(status, today: date, max_age_days: int) -> str:
    lines = [f"state={status.state} since={status.since} as_of={status.as_of}",
             f"intake={'open' if status.intake.open else 'closed'} since={status.intake.since} "
             f"as_of={status.intake.as_of}",
             f"run_by={status.run_by or '(not set)'}"]
    lines += [f"org={o.name} | {o.contact} | {','.join(o.roles)}" for o in status.organizations]
    if not status.organizations:
        lines.append("org=(none)")
    if status.stale(today, max_age_days):
        lines.append(f"WARNING: the status was last verified {status.age_days(today)} days ago "
                     f"(limit {max_age_days}, HOTLINE_STATUS_MAX_AGE_DAYS): check the state and "
                     "the intake and set them with --as-of / --intake-as-of")
    if not status.run_by:
        lines.append("WARNING: who runs the hotline is not set (--run-by): HELP says its name "
                     "is not published")
    return "\n".join(lines)


def cmd_content(args) -> int:
    """The content report: every answer, its sources, review, situations and SMS cost."""
    from redis.exceptions import ConnectionError as RedisDown

    from hotline.content import answers, program_status
    from hotline.content.catalogs import Catalogs
    from hotline.content.responses import load_responses
    from hotline.ops import content_report as report

    rt = _runtime()
    settings = rt.settings
    try:  # the status in force, if a hotline is running; else the file
        status = program_status.load(settings.program_status_file, rt.redis)
    except RedisDown:
        status = program_status.load_file(settings.program_status_file)
    catalogs = Catalogs(settings.locales_dir)
    entries = answers.load(settings.answers_file, catalogs.keys())
    shapes = load_responses(settings.domain_dir, settings.responses_dir)
    markdown, _ = report.build(catalogs, entries, shapes, status, date.today(),
                               settings.content_review_days, settings.status_max_age_days)
    print(markdown, end="")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(markdown)
        print(f"(written to {args.out})", file=sys.stderr)
    return 0


def cmd_token(args) -> int:
    """API tokens for facilitating organizations: shown once at creation, stored hashed, each
    with an expiry (`--days`, 90 by default)."""
    import time

    from hotline.access import api_tokens

    redis = _runtime().redis
    if args.action == "create":
        if not args.name:
            raise UsageError("token create needs --name (the organization)")
        scopes = tuple(s.strip() for s in args.scopes.split(",") if s.strip())
        token = api_tokens.create(redis, args.name, scopes, days=args.days)
        print(token)
        print(f"(for {args.name}; scopes {', '.join(scopes)}; expires in {args.days} days; "
              "keep it safe: it is not shown again)", file=sys.stderr)
    elif args.action == "revoke":
        if not args.name:
            raise UsageError("token revoke needs --name")
        print(f"revoked {api_tokens.revoke(redis, args.name)} token(s) of {args.name}")
    else:
        for record in api_tokens.listing(redis):
            state = ("revoked" if record.get("revoked") else
                     "expired" if api_tokens.expired(record) else "active")
            expires = (time.strftime("%Y-%m-%d", time.gmtime(record["expires_at"]))
                       if record.get("expires_at") else "never")
            print(f"{record['name']}\t{','.join(record['scopes'])}\t{state}\texpires {expires}")
    return 0


def _pairs(items: list[str] | None, what: str) -> dict:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{what} must look like key=value, got {item!r}")
        out[key] = {"true": True, "false": False}.get(value, value)
    return out


def _progress(report: dict) -> str:
    total = max(report["total"], 1)
    done = report["sent"] + report["failed"] + report["opted_out"] + report["skipped"]
    filled = int(30 * done / total)
    return (f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{report['total']} "
            f"sent {report['sent']} delivered {report['delivered']} failed {report['failed']} "
            f"opted out {report['opted_out']} skipped {report['skipped']} ({report['state']})")


def _cost_line(cost: dict) -> str:
    """A cost summary (`billing.Tally.as_dict`): the priced sum, and what has no price."""
    total = f"{cost['total']} {cost['currency']}" if cost["total"] is not None else "unknown"
    kinds = ", ".join(f"{k}: {v}" for k, v in sorted(cost["by_category"].items()))
    unpriced = (f"; {cost['unpriced']} without a price (set HOTLINE_MESSAGE_PRICES)"
                if cost["unpriced"] else "")
    unreachable = (f"; {cost['no_route']} cannot be sent now (see the route rules)"
                   if cost.get("no_route") else "")
    return (f"{total} for {cost['messages']} messages ({kinds or 'none'}; "
            f"{cost['sms_segments']} SMS segments){unpriced}{unreachable}")


def cmd_broadcast(args) -> int:
    """Send (or dry-run) a broadcast, or watch one's delivery report."""
    import json
    import time

    from hotline.outreach import audience as bc_audience
    from hotline.outreach import report as bc_report
    from hotline.outreach import runner as bc_runner
    from hotline.outreach import spec as bc_spec

    rt = _runtime()
    if args.action == "report":
        if not args.id:
            raise UsageError("broadcast report needs the broadcast id")
        report = bc_report.report(rt, args.id)
        if report is None:
            raise ValueError(f"no broadcast {args.id}")
        if args.json:
            print(json.dumps(report, indent=2))
            return 0
        while True:
            print("\r" + _progress(report), end="", flush=True)
            if not args.watch or report["state"] not in ("sending", "scheduled"):
                print()
                return 0
            time.sleep(0.5)
            report = bc_report.report(rt, args.id)
    spec = {"audience": _pairs(args.audience, "--audience")}
    if args.template:
        spec["template"] = args.template
        spec["values"] = _pairs(args.value, "--value")
    if args.text_en or args.text_es:
        spec["text"] = {"en": args.text_en or "", "es": args.text_es or ""}
    if args.at:
        spec["send_at"] = args.at
    if args.rate is not None:
        spec["rate"] = args.rate
    bc = bc_spec.build(rt, spec, actor="cli")
    preview = bc_audience.dry_run(rt, bc)
    by_language = ", ".join(f"{k}: {v}" for k, v in sorted(preview["by_language"].items()))
    print(f"audience: {preview['audience']} ({by_language or 'nobody'}); "
          f"opted out, not sent: {preview['opted_out']}")
    print("estimated cost: " + _cost_line(preview["estimated_cost"]))
    for lang, text in sorted(preview["samples"].items()):
        print(f"--- {lang}\n{text}")
    if args.dry_run:
        return 0
    bc = bc_runner.submit(rt, bc)
    print(f"broadcast {bc.id}: {bc.state}")
    if bc.state == "sending" and not args.no_wait:
        args.action, args.id, args.watch, args.json = "report", bc.id, True, False
        return cmd_broadcast(args)
    return 0


def cmd_operator(args) -> int:
    """Operators' console accounts: create or set a password (asked, or read from stdin), list,
    disable or enable, end every session (`sign-out`)."""
    import getpass

    from hotline.access import operators

    redis = _runtime().redis
    if args.action == "list":
        for record in operators.listing(redis):
            print(f"{record['username']}\t{record['role']}\t{record['language']}\t{record['name']}"
                  + ("\tdisabled" if record.get("disabled") else ""))
        return 0
    if not args.username:
        raise UsageError(f"operator {args.action} needs --username")
    if args.action in ("disable", "enable"):
        # Disabling ends every console session of the operator at their next request.
        record = operators.set_disabled(redis, args.username, args.action == "disable")
        print(f"operator {record['username']} {args.action}d; their sessions have ended")
        return 0
    if args.action == "sign-out":
        operators.end_sessions(redis, args.username)
        print(f"every console session of {args.username.strip().lower()} has ended")
        return 0
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(
        "password (10 characters or more): ")
    if args.action == "password":
        record = operators.set_password(redis, args.username, password)
        print(f"operator {record['username']}: new password; their old sessions have ended")
        return 0
    record = operators.create(redis, args.username, password, args.role, args.name, args.language)
    print(f"operator {record['username']} ({record['role']}) created")
    return 0


def cmd_keys(args) -> int:
    """Data keys: `rotate` adds a key and re-encrypts everything (resumes an unfinished run);
    `status` shows the current key and the last rotation; `encrypt-legacy` only encrypts what
    was stored in plain text before encryption, which `rotate` also does first
    (hotline/ops/keys.py)."""
    from hotline.ops import keys

    rt = _runtime()
    if args.action == "status":
        state = keys.progress(rt.redis)
        print(f"current data key: {rt.vault.key_id}")
        print(state.line() if state else "no rotation yet")
        return 0
    # Plain values left from before encryption first, so that the rotation covers them too.
    legacy = keys.encrypt_legacy(rt)
    print("encrypted values left in plain text: "
          + ", ".join(f"{name} {count}" for name, count in legacy.items()))
    if args.action == "encrypt-legacy":
        return 0
    state = keys.rotate(rt.redis, rt.vault, rt.settings.keyring_file,
                        max_batches=args.max_batches)
    print(state.line())
    return 0


def cmd_redis(args) -> int:
    """`redis backup`: a fresh RDB snapshot and the AOF copied under --out (hotline/ops/backup)."""
    from hotline.config import PROJECT_ROOT
    from hotline.ops import backup

    out = Path(args.out) if args.out else PROJECT_ROOT / "var" / "backups"
    try:
        made = backup.backup(_runtime().redis, out)
    except backup.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(made.line())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotline")
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="talk to the running hotline like a phone would")
    chat.add_argument("--whatsapp", action="store_true", help="write as a WhatsApp sender")
    chat.add_argument("--number", help="your pretend phone number, E.164 (+52...)")
    chat.add_argument("--send", help="send one message, print the reply, exit")
    chat.add_argument("--timeout", type=float, default=60)
    chat.set_defaults(func=cmd_chat)
    sub.add_parser("train", help="train the assistant if its data changed").set_defaults(
        func=cmd_train)
    evaluation = sub.add_parser("eval", help="score the model on the held-out set (per language)")
    evaluation.add_argument("--cv", type=int, default=0, metavar="K",
                            help="also run K-fold cross-validation on the training data")
    evaluation.set_defaults(func=cmd_eval)
    status = sub.add_parser("status", help="show or set the program's dated status")
    status.add_argument("action", nargs="?", choices=["show", "set", "clear"], default="show")
    status.add_argument("--state", choices=["processing", "suspended", "terminated", "reinstated"])
    status.add_argument("--since", help="YYYY-MM-DD the status began")
    status.add_argument("--as-of", help="YYYY-MM-DD the information was checked (default today)")
    status.add_argument("--intake", choices=["open", "closed"],
                        help="whether this hotline takes registrations now")
    status.add_argument("--intake-since", help="YYYY-MM-DD intake opened or closed")
    status.add_argument("--intake-as-of", help="YYYY-MM-DD intake was checked (default today)")
    status.add_argument("--org", action="append", metavar="'NAME|CONTACT|ROLES'",
                        help="a confirmed organization, roles from registrations,legal_help "
                             "(repeatable; replaces the list)")
    status.add_argument("--clear-orgs", action="store_true", help="no organizations")
    status.add_argument("--run-by", help="who runs the hotline, as people should read it")
    status.add_argument("--days", type=int, default=30,
                        help="count people told an answer the change makes outdated in the "
                             "last DAYS days (default 30)")
    status.set_defaults(func=cmd_status)
    fix = sub.add_parser("corrections", help="correct people told an answer the last status "
                                             "change made outdated (dry run unless --yes)")
    fix.add_argument("action", choices=["send"])
    fix.add_argument("--days", type=int, default=30,
                     help="people told it in the last DAYS days (default 30)")
    how = fix.add_mutually_exclusive_group()
    how.add_argument("--dry-run", action="store_true", help="count and show only (the default)")
    how.add_argument("--yes", action="store_true", help="send the corrections")
    fix.set_defaults(func=cmd_corrections)
    content = sub.add_parser("content", help="report on every answer: sources, review, SMS cost")
    content.add_argument("action", choices=["report"])
    content.add_argument("--out", metavar="FILE.md", help="also write the report to this file")
    content.set_defaults(func=cmd_content)
    token = sub.add_parser("token", help="create, list or revoke organizations' API tokens")
    token.add_argument("action", choices=["create", "list", "revoke"])
    token.add_argument("--name", help="the organization the token is for")
    token.add_argument("--scopes", default="registrations:read",
                       help="comma-separated: registrations:read, registrations:write, "
                            "registrations:identity (the CSV export of everyone's identity), "
                            "broadcasts")
    token.add_argument("--days", type=int, default=90,
                       help="how many days the token works (default 90, at most 366)")
    token.set_defaults(func=cmd_token)
    bc = sub.add_parser("broadcast", help="send a broadcast (or --dry-run), or show its report")
    bc.add_argument("action", choices=["send", "report"])
    bc.add_argument("id", nargs="?", help="the broadcast id (report)")
    bc.add_argument("--template", help="a catalog id, e.g. broadcast.stay_put")
    bc.add_argument("--value", action="append", help="a template value, key=value (repeatable)")
    bc.add_argument("--text-en", help="free text in English (with --text-es)")
    bc.add_argument("--text-es", help="free text in Spanish (with --text-en)")
    bc.add_argument("--audience", action="append",
                    help="filter key=value: language, channel, country, city, status, registered")
    bc.add_argument("--at", help="send later: ISO time with zone, e.g. 2026-12-01T09:00-06:00")
    bc.add_argument("--rate", type=float, help="messages per second (0 = no cap)")
    bc.add_argument("--dry-run", action="store_true", help="show audience size and texts only")
    bc.add_argument("--no-wait", action="store_true", help="do not watch the progress")
    bc.add_argument("--watch", action="store_true", help="report: follow until it finishes")
    bc.add_argument("--json", action="store_true", help="report: print JSON")
    bc.set_defaults(func=cmd_broadcast)
    op = sub.add_parser("operator", help="create, list, disable or enable operators' console "
                                         "accounts, set a password, end their sessions")
    op.add_argument("action", choices=["create", "list", "password", "disable", "enable",
                                       "sign-out"])
    op.add_argument("--username")
    op.add_argument("--name")
    op.add_argument("--role", choices=["operator", "supervisor"], default="operator")
    op.add_argument("--language", choices=["es", "en"], default="es", help="console language")
    op.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    op.set_defaults(func=cmd_operator)
    keys = sub.add_parser("keys", help="rotate the data key and re-encrypt what is stored")
    keys.add_argument("action", choices=["rotate", "status", "encrypt-legacy"])
    keys.add_argument("--max-batches", type=int, default=None,
                      help="stop after this many batches of 500 keys (run again to resume)")
    keys.set_defaults(func=cmd_keys)
    nlu = sub.add_parser("nlu", help="export the messages supervisors labelled as masked "
                                     "training examples")
    nlu.add_argument("action", choices=["export-labeled"])
    nlu.add_argument("--out", metavar="DIR", help="where to write them (default var/nlu)")
    nlu.set_defaults(func=cmd_nlu)
    redis_cmd = sub.add_parser("redis", help="back up Redis: a fresh snapshot and the AOF")
    redis_cmd.add_argument("action", choices=["backup"])
    redis_cmd.add_argument("--out", metavar="DIR",
                           help="where to put the backup directory (default var/backups)")
    redis_cmd.set_defaults(func=cmd_redis)
    args = parser.parse_args(argv)  # a usage error exits 2 with argparse's usage line
    try:
        return args.func(args)
    except UsageError as exc:
        # Like argparse's own: the subcommand's usage line, the message, exit status 2.
        sub.choices[args.command].error(str(exc))
    except (ValueError, ConfigError) as exc:
        # Bad input is a ValueError throughout (StatusError, BroadcastError, the operators' and
        # tokens' checks), a missing secret a ConfigError. A KeyError or any other exception is
        # a bug: it keeps its traceback.
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RedisConnectionError as exc:
        print(f"error: cannot reach Redis ({exc}); is the hotline running? (./hotline.sh run)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
