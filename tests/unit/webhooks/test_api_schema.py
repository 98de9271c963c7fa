"""Every API input is checked against its route's schema: what a new user might send by mistake
or on purpose gets a 400 that says why, never a 500, and nothing of the wrong type is stored or
sent to a person. The schemas are the published OpenAPI document."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hotline.access import api_tokens, failures
from hotline.crypto import Vault
from hotline.registration.store import RegistrationStore
from support.people import make
from webhooks.api_schema import MAX_DEPTH


@pytest.fixture
def store(redis, settings):
    return RegistrationStore(redis, Vault(settings.secret))


@pytest.fixture
def everything(redis):
    return api_tokens.create(redis, "Org One", api_tokens.SCOPES)


def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("params", [
    {"page": "²"}, {"per_page": "²"}, {"page": "٣"}, {"per_page": "１０"},
    {"page": "9" * 5000}, {"enrolled_from": "٢٠١٩-03"}, {"enrolled_to": "٢٠٢٤-01"},
    {"enrolled_to": "2019-03\n"}, {"country": "ß"}, {"country": "ﬀ"}, {"status": "received\n"},
    {"vulnerable": "TRUE"}, {"order": "random"}, {"page": "-1"}, {"page": "1.5"},
])
def test_malformed_filters_are_400_never_500(client, everything, params):
    for path in ("/api/v1/registrations", "/api/v1/registrations/export.csv"):
        if path.endswith(".csv") and set(params) & {"page", "per_page", "order"}:
            continue
        response = client.get(path, headers=auth(everything), query_string=params)
        assert response.status_code == 400, (path, params, response.data)
        assert next(iter(params)) in response.get_json()["error"]


def test_a_month_in_other_digits_does_not_match_everything(client, store, everything):
    make(store, 1, enrolled="2019-02")
    make(store, 2, enrolled="2030-08")
    response = client.get("/api/v1/registrations", headers=auth(everything),
                          query_string={"enrolled_to": "٢٠٢٠-01"})
    assert response.status_code == 400
    ok = client.get("/api/v1/registrations", headers=auth(everything),
                    query_string={"enrolled_to": "2020-01"}).get_json()
    assert ok["total"] == 1


@pytest.mark.parametrize("path", ["/api/v1/broadcasts", "/api/v1/registrations/ACDE-FHJK/status"])
@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    b'{"status": "closed", "what": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}",
    b"not json", b"\xff\xfe", b"[]", b'"text"', b"", b'{"rate": NaN}', b'{"rate": -Infinity}',
], ids=["deep-list", "deep-object", "deep-field", "text", "bytes", "list", "string", "empty",
        "nan", "infinity"])
def test_malformed_or_deeply_nested_json_is_400(client, everything, path, body):
    response = client.post(path, data=body, headers=auth(everything),
                           content_type="application/json")
    assert response.status_code == 400, response.data
    assert response.get_json()["error"]


def test_a_json_object_is_never_an_appointment_place(client, rt, store, everything):
    reg = make(store, 3)
    for place in ({"calle": "Juárez 12"}, ["Tijuana"], 12, True, "", "   ", "a\x00b"):
        response = client.post(f"/api/v1/registrations/{reg.reference}/status",
                               headers=auth(everything), json={
                                   "status": "appointment_scheduled", "place": place,
                                   "date": "2030-05-06", "time": "09:30"})
        assert response.status_code == 400, place
        assert "place" in response.get_json()["error"]
    after = store.get(reg.reference, actor=None)
    assert after.status == "received" and store.appointment(reg.reference) is None
    assert not [k for k in rt.redis.keys("hl:outbox:*")]
    assert "calle" not in json.dumps(store.audit_trail(reg.reference))


def test_status_bodies_are_checked_field_by_field(client, store, everything):
    reg = make(store, 4)
    url = f"/api/v1/registrations/{reg.reference}/status"
    for body in ({"status": "duplicate"}, {"status": "closed", "extra": 1},
                 {"status": "information_needed", "what": {"x": 1}},
                 {"status": "appointment_scheduled", "place": "Tijuana", "date": "2030-02-30",
                  "time": "09:30"},
                 {"status": "appointment_scheduled", "place": "Tijuana", "date": "2030-01-02",
                  "time": "9:30\n"}, {"status": ["closed"]}):
        response = client.post(url, headers=auth(everything), json=body)
        assert response.status_code == 400, body
    good = client.post(url, headers=auth(everything), json={
        "status": "information_needed", "what": "una copia del documento"})
    assert good.status_code == 200, good.data


@pytest.mark.parametrize("rate", ["NaN", "Infinity", "-Infinity", "1e999", '"5"', "true",
                                  "-1", "10001"])
def test_a_broadcast_rate_is_a_finite_number_in_range(client, everything, rate):
    body = '{"text": {"en": "Hello", "es": "Hola"}, "dry_run": true, "rate": ' + rate + "}"
    response = client.post("/api/v1/broadcasts", data=body, headers=auth(everything),
                           content_type="application/json")
    assert response.status_code == 400, response.data
    error = response.get_json()["error"]
    assert "rate" in error or "not a JSON number" in error


def test_broadcast_bodies_are_checked(client, everything):
    for body in ({"text": {"en": "Hi", "es": "Hola", "fr": "Salut"}},
                 {"text": {"en": {"a": 1}, "es": "Hola"}},
                 {"template": "broadcast.stay_put", "values": {"date": {"nested": 1}}},
                 {"text": {"en": "Hi", "es": "Hola"}, "audience": {"planet": "mars"}},
                 {"text": {"en": "Hi", "es": "Hola"}, "audience": {"registered": "yes"}},
                 {"text": {"en": "Hi", "es": "Hola"}, "content_sid": "HX\n"},
                 {"text": {"en": "Hi", "es": "Hola"}, "dry_run": "yes"}):
        response = client.post("/api/v1/broadcasts", headers=auth(everything), json=body)
        assert response.status_code == 400, body
    dry = client.post("/api/v1/broadcasts", headers=auth(everything), json={
        "text": {"en": "Hi", "es": "Hola"}, "dry_run": True, "rate": 2.5,
        "audience": {"country": "mx"}})
    assert dry.status_code == 200, dry.data


def test_path_ids_in_other_scripts_are_404(client, everything):
    for bc_id in ("BC٣٣", "ＢＣ12"):
        assert client.get(f"/api/v1/broadcasts/{bc_id}", headers=auth(everything)
                          ).status_code == 404
        assert client.post(f"/api/v1/broadcasts/{bc_id}/cancel", headers=auth(everything)
                           ).status_code == 404


def test_the_openapi_document_is_public_and_names_every_route(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.") and doc["servers"] == [{"url": "/api/v1"}]
    routes = {f"/api/v1{p}".replace("{", "<").replace("}", ">") for p in doc["paths"]}
    served = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert served - {"/api/v1/openapi.json"} == routes
    params = {p["name"] for p in doc["paths"]["/registrations"]["get"]["parameters"]}
    assert {"page", "per_page", "enrolled_to", "country"} <= params
    schemas = doc["components"]["schemas"]
    assert schemas["StatusChange"]["properties"]["place"]["type"] == "string"
    assert schemas["BroadcastRequest"]["additionalProperties"] is False
    # Every $ref points at a schema the document holds.
    refs = [r.split("/")[-1] for r in json_refs(doc)]
    assert refs and all(r in schemas for r in refs)


def json_refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from json_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from json_refs(value)


def test_the_identity_export_needs_its_own_scope_and_is_rate_limited(client, store, redis):
    make(store, 5)
    reader = api_tokens.create(redis, "Org Read", ("registrations:read",))
    assert client.get("/api/v1/registrations/export.csv", headers=auth(reader)).status_code == 403
    exporter = api_tokens.create(redis, "Org Export", ("registrations:identity",))
    codes = [client.get("/api/v1/registrations/export.csv", headers=auth(exporter)).status_code
             for _ in range(api_tokens.EXPORTS_PER_HOUR + 1)]
    assert codes == [200] * api_tokens.EXPORTS_PER_HOUR + [429]
    logged = [e for e in api_tokens.recent_requests(redis) if e["client"] == "Org Export"]
    assert [e["status"] for e in logged][:2] == [429, 200]  # audited, refusals included


def test_tokens_expire(client, redis, monkeypatch):
    token = api_tokens.create(redis, "Org", days=30)
    record = api_tokens.listing(redis)[0]
    assert 29.9 < (record["expires_at"] - record["created_at"]) / 86400 <= 30
    assert client.get("/api/v1/registrations", headers=auth(token)).status_code == 200
    later = record["expires_at"] + 1
    monkeypatch.setattr(api_tokens.time, "time", lambda: later)
    assert client.get("/api/v1/registrations", headers=auth(token)).status_code == 401
    for days in (0, -1, 10_000, True, 1.5):
        with pytest.raises(ValueError):
            api_tokens.create(redis, "Org", days=days)


def test_anonymous_failures_cannot_flush_the_audit_trail(client, redis, monkeypatch):
    monkeypatch.setattr(api_tokens, "LOG_KEEP", 5)
    token = api_tokens.create(redis, "Org One")
    client.get("/api/v1/registrations", headers=auth(token))
    for n in range(20):
        client.get("/api/v1/registrations", headers=auth(f"hlt_forged{n}"))
    assert [e["client"] for e in api_tokens.recent_requests(redis)] == ["Org One"]
    failed = failures.recent(redis, "api")
    assert len(failed) == 20 and all(e["status"] == 401 for e in failed)
    assert "hlt_forged" not in json.dumps(failed)  # what was tried is not kept


def test_csv_cells_stay_cells_and_never_formulas(client, store, redis):
    make(store, 6, location_city="Tijuana;=cmd|' /C calc'!A0", name=" =HYPERLINK(1)")
    token = api_tokens.create(redis, "Org", ("registrations:identity",))
    text = client.get("/api/v1/registrations/export.csv", headers=auth(token)
                      ).get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "' =HYPERLINK(1)"
    # Quoted whole, so a spreadsheet splitting on ';' keeps the city in one cell.
    assert '"Tijuana;=cmd|\' /C calc\'!A0"' in text
    assert row["location_city"] == "Tijuana;=cmd|' /C calc'!A0"
    assert all(line.startswith('"') for line in text.splitlines())  # every field quoted


@pytest.mark.parametrize("rate", [float("nan"), float("inf"), True])
def test_the_broadcast_builder_refuses_what_is_not_a_finite_rate(rt, rate):
    # The CLI's `--rate nan` reaches the builder without the API's schema.
    from hotline.outreach import spec

    with pytest.raises(spec.BroadcastError):
        spec.build(rt, {"text": {"en": "Hi", "es": "Hola"}, "rate": rate}, "cli")
