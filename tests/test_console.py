"""The operators' console through Flask's test client against real Redis: sign-in, CSRF, the
claim race, who may read what, escaping, the silent assistant, hand-back, audit."""

from __future__ import annotations

import re
import threading

import pytest
from conftest import SMS_NUMBER

from hotline.handoff import audit, figures, queue as escalations
from hotline.messaging import inbound
from hotline.access import operators
from hotline.messaging.channels import parse_address
from hotline.errors import AssistantUnavailable
from hotline.messaging.messages import Inbound

PASSWORD = "correct horse battery"


def token(page: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


def sign_in(app, username: str, role: str = "operator", lang: str = "es"):
    client = app.test_client()
    if not operators.get(app.extensions["hotline"].redis, username):
        operators.create(app.extensions["hotline"].redis, username, PASSWORD, role, language=lang)
    page = client.get("/console/login")
    response = client.post("/console/login", data={"username": username, "password": PASSWORD,
                                                   "csrf_token": token(page.data)})
    assert response.status_code == 302, response.data
    client.csrf = token(client.get("/console/").data)
    return client


def person(rt, number: str = "+5215512340000", text: str = "necesito ayuda") -> str:
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.contacts.set_language(contact_id, "es", chosen=False)
    msg = Inbound(sid="SM" + number[-8:] + "0" * 24, contact_id=contact_id, channel="sms",
                  sender=number, to=SMS_NUMBER, body=text, num_media=0, received_at=0)
    rt.messages.save_inbound(msg, 60)
    escalations.escalate(rt.redis, contact_id, "asked", urgent=False, language="es")
    return contact_id


def test_everything_needs_a_sign_in(app):
    client = app.test_client()
    for path in ("/console/", "/console/api/queue", "/console/c/abc", "/console/supervisor"):
        response = client.get(path)
        assert response.status_code in (302, 401) and "/console/login" in response.location


def test_sign_in_csrf_wrong_password_and_rate_limit(app):
    client = app.test_client()
    operators.create(app.extensions["hotline"].redis, "ana", PASSWORD)
    assert client.post("/console/login", data={"username": "ana", "password": PASSWORD}
                       ).status_code == 400  # no CSRF token
    csrf = token(client.get("/console/login").data)
    assert client.post("/console/login", data={"username": "ana", "password": "nope",
                                               "csrf_token": csrf}).status_code == 401
    for _ in range(10):
        client.post("/console/login", data={"username": "ana", "password": "x", "csrf_token": csrf})
    assert client.post("/console/login", data={"username": "ana", "password": PASSWORD,
                                               "csrf_token": csrf}).status_code == 429


def test_session_cookie_is_http_only_and_same_site(app):
    client = app.test_client()
    operators.create(app.extensions["hotline"].redis, "ana", PASSWORD)
    csrf = token(client.get("/console/login").data)
    response = client.post("/console/login", data={"username": "ana", "password": PASSWORD,
                                                   "csrf_token": csrf})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_two_operators_claiming_at_once_exactly_one_wins(app, rt):
    for _ in range(20):
        contact_id = person(rt)
        results = []
        barrier = threading.Barrier(2)

        def take(name):
            barrier.wait()
            results.append(escalations.claim(rt.redis, contact_id, name))

        threads = [threading.Thread(target=take, args=(n,)) for n in ("ana", "beto")]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(results) == [False, True]
        escalations.release(rt.redis, contact_id, "closed")


def test_claim_read_reply_note_and_hand_back(app, rt):
    contact_id = person(rt, text="<script>alert(1)</script> me amenazan")
    ana = sign_in(app, "ana")
    queue = ana.get("/console/api/queue").get_json()
    assert [e["contact_id"] for e in queue["waiting"]] == [contact_id]
    response = ana.post(f"/console/c/{contact_id}/claim", data={"csrf_token": ana.csrf})
    assert response.status_code == 302 and contact_id in response.location
    page = ana.get(f"/console/c/{contact_id}")
    assert page.status_code == 200
    # What the person wrote is text, never markup.
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.data
    assert b"<script>alert(1)" not in page.data
    ana.post(f"/console/c/{contact_id}/note", data={"csrf_token": ana.csrf, "text": "call back"})
    assert escalations.notes(rt.redis, contact_id)[0]["text"] == "call back"
    assert ana.post(f"/console/c/{contact_id}/reply", data={"body": "Hola, soy Ana"}
                    ).status_code == 400  # no CSRF token
    assert ana.post(f"/console/c/{contact_id}/reply", data={"csrf_token": ana.csrf,
                                                           "body": "Hola, soy Ana"}).status_code == 302
    queued = [rt.messages.load_outbound(i) for i in rt.redis.lrange(f"hl:outbox:{contact_id}", 0, -1)]
    assert [(m.body, m.kind, m.to) for m in queued] == [("Hola, soy Ana", "operator",
                                                         "+5215512340000")]
    assert ana.post(f"/console/c/{contact_id}/handback", data={"csrf_token": ana.csrf}
                    ).status_code == 302
    assert escalations.get(rt.redis, contact_id)["state"] == "returned"
    assert not escalations.with_operator(rt.redis, contact_id)
    actions = [e["action"] for e in audit.recent(rt.redis)]
    assert {"login", "claim", "read", "note", "reply", "handback"} <= set(actions)


def test_operators_only_see_their_own_conversations_and_supervisors_all(app, rt):
    contact_id = person(rt)
    ana, beto = sign_in(app, "ana"), sign_in(app, "beto")
    boss = sign_in(app, "jefa", role="supervisor")
    assert beto.get(f"/console/c/{contact_id}").status_code == 403  # waiting: not given yet
    ana.post(f"/console/c/{contact_id}/claim", data={"csrf_token": ana.csrf})
    assert beto.post(f"/console/c/{contact_id}/claim", data={"csrf_token": beto.csrf}
                     ).status_code == 302  # lost the race: back to the queue
    assert escalations.get(rt.redis, contact_id)["claimed_by"] == "ana"
    assert beto.get(f"/console/c/{contact_id}").status_code == 403
    assert beto.post(f"/console/c/{contact_id}/reply", data={"csrf_token": beto.csrf,
                                                            "body": "x"}).status_code == 403
    assert beto.get("/console/supervisor").status_code == 403
    assert boss.get(f"/console/c/{contact_id}").status_code == 200
    figures = boss.get("/console/api/queue").get_json()["figures"]
    assert figures["in_progress"] == 1
    assert b"ana" in boss.get("/console/supervisor").data
    # A transfer gives it to someone else.
    ana.post(f"/console/c/{contact_id}/transfer", data={"csrf_token": ana.csrf, "to": "beto"})
    assert beto.get(f"/console/c/{contact_id}").status_code == 200
    assert ana.get(f"/console/c/{contact_id}").status_code == 403


def test_the_console_speaks_both_languages(app):
    client = app.test_client()
    assert "Entrar".encode() in client.get("/console/login?lang=es").data
    assert b"Sign in" in client.get("/console/login?lang=en").data
    ana = sign_in(app, "ana", lang="en")
    assert b"Waiting for a person" in ana.get("/console/").data
    assert "Esperando a una persona".encode() in ana.get("/console/?lang=es").data


def test_the_assistant_stays_silent_while_an_operator_holds_the_conversation(rt):
    contact_id = person(rt)
    waiting = Inbound(sid="SM" + "3" * 32, contact_id=contact_id, channel="sms",
                      sender="+5215512340000", to=SMS_NUMBER, body="hola?", num_media=0,
                      received_at=0)
    rt.messages.save_inbound(waiting, 60)
    # Still waiting for an operator: the assistant answers (here it is down, so it is tried).
    with pytest.raises(AssistantUnavailable):
        inbound.handle(rt, waiting.sid)
    rt.redis.delete(f"hl:in:{waiting.sid}")
    escalations.claim(rt.redis, contact_id, "ana")
    msg = Inbound(sid="SM" + "1" * 32, contact_id=contact_id, channel="sms",
                  sender="+5215512340000", to=SMS_NUMBER, body="hola?", num_media=0,
                  received_at=0)
    rt.messages.save_inbound(msg, 60)
    # The assistant is not even reachable here: a call to it would fail the test.
    inbound.handle(rt, msg.sid)
    stored = rt.messages.load_inbound(msg.sid)
    assert stored.state == "done" and not stored.replies
    assert [e["text"] for e in rt.messages.transcript(contact_id)][-1] == "hola?"
    # STOP still works.
    stop = Inbound(sid="SM" + "2" * 32, contact_id=contact_id, channel="sms",
                   sender="+5215512340000", to=SMS_NUMBER, body="STOP", num_media=0, received_at=0)
    rt.messages.save_inbound(stop, 60)
    inbound.handle(rt, stop.sid)
    assert rt.contacts.is_opted_out(contact_id)


def test_operator_accounts_are_checked(redis):
    with pytest.raises(ValueError):
        operators.create(redis, "Bad Name!", PASSWORD)
    with pytest.raises(ValueError):
        operators.create(redis, "ana", "short")
    with pytest.raises(ValueError):
        operators.create(redis, "ana", PASSWORD, role="admin")
    record = operators.create(redis, "ana", PASSWORD)
    assert PASSWORD not in str(redis.hgetall(operators.KEY)) and record["role"] == "operator"
    assert operators.verify(redis, "ana", PASSWORD) and not operators.verify(redis, "ana", "x")
    assert operators.verify(redis, "nobody", PASSWORD) is None


def test_wait_estimate_grows_with_the_queue(rt):
    first, second = person(rt, "+5215500000001"), person(rt, "+5215500000002")
    assert figures.wait_minutes(rt.redis, first) < figures.wait_minutes(rt.redis, second)
    urgent = person(rt, "+5215500000003")
    escalations.escalate(rt.redis, urgent, "emergency", urgent=True, language="es")
    assert [e["contact_id"] for e in escalations.waiting(rt.redis)][0] == urgent


def test_every_console_text_has_a_spanish_translation():
    from babel.messages.pofile import read_po

    from hotline.config import PROJECT_ROOT

    with (PROJECT_ROOT / "locales" / "es" / "LC_MESSAGES" / "console.po").open("rb") as fh:
        spanish = {m.id: m.string for m in read_po(fh) if m.id}
    used = set()
    console = PROJECT_ROOT / "webhooks" / "console"
    for path in [*(console / "templates" / "console").glob("*.html"), *console.glob("*.py")]:
        used |= {m[1] for m in re.findall(r"""_\((["'])(.*?)\1\)""", path.read_text())}
    missing = sorted(t for t in used if not spanish.get(t))
    assert not missing


def test_supervisors_see_broadcast_reports(app, sandbox_rt):
    from hotline.outreach import runner as bc_runner
    from hotline.outreach import spec as bc_spec

    rt = sandbox_rt
    rt.contacts.touch_inbound(parse_address("+5215512349999"))
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"template": "broadcast.stay_put"}, "t"))
    bc_runner.run(rt, bc.id)
    page = sign_in(app, "jefa", role="supervisor", lang="en").get("/console/supervisor")
    assert b"broadcast.stay_put" in page.data and b'id="broadcasts"' in page.data


def test_operators_are_created_from_the_cli(settings, redis):
    import subprocess
    import sys

    env = {"REDIS_URL": settings.redis_url, "PATH": ""}
    command = [sys.executable, "-m", "hotline.ops.cli", "operator", "create", "--username", "rosa",
               "--role", "supervisor", "--password-stdin"]
    result = subprocess.run(command, input=PASSWORD + "\n", capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert operators.verify(redis, "rosa", PASSWORD)["role"] == "supervisor"
    short = subprocess.run([sys.executable, "-m", "hotline.ops.cli", "operator", "create",
                            "--username", "xavi", "--password-stdin"], input="short\n",
                           capture_output=True, text=True, env=env, timeout=60)
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    assert operators.get(redis, "xavi") is None
