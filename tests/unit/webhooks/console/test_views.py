"""The operators' console through Flask's test client against real Redis: sign-in, CSRF, the
claim race, who may read what, escaping, the silent assistant, hand-back, audit."""

from __future__ import annotations

import re
import threading

from hotline.access import operators
from hotline.handoff import audit
from hotline.handoff import queue as escalations
from hotline.messaging.channels import parse_address
from support.console import PASSWORD, sign_in, token
from support.people import person


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

        def take(name, barrier=barrier, results=results, contact_id=contact_id):
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
    assert escalations.notes(rt.redis, contact_id, rt.vault)[0]["text"] == "call back"
    assert ana.post(f"/console/c/{contact_id}/reply", data={"body": "Hola, soy Ana"}
                    ).status_code == 400  # no CSRF token
    assert ana.post(f"/console/c/{contact_id}/reply",
                    data={"csrf_token": ana.csrf, "body": "Hola, soy Ana"}).status_code == 302
    queued = [rt.messages.load_outbound(i)
              for i in rt.redis.lrange(f"hl:outbox:{contact_id}", 0, -1)]
    # By SMS to the number's canonical form (+52, not WhatsApp's +52 1).
    assert [(m.body, m.kind, m.to) for m in queued] == [("Hola, soy Ana", "operator",
                                                         "+525512340000")]
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
    assert b"Entrar" in client.get("/console/login?lang=es").data
    assert b"Sign in" in client.get("/console/login?lang=en").data
    ana = sign_in(app, "ana", lang="en")
    assert b"Waiting for a person" in ana.get("/console/").data
    assert b"Esperando a una persona" in ana.get("/console/?lang=es").data


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
