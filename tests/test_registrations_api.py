"""Registrations storage and the organizations' API: auth, filters, export, audit, privacy."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from hotline.access import api_tokens
from hotline.crypto import Vault
from hotline.registration.store import RegistrationStore, normalise_reference


def values(**overrides) -> dict:
    base = {"name": "Ana Lucia Perez", "birth_date": "1990-01-02", "citizenship": "HN",
            "a_number": "012345678", "case_situation": "pending", "enrolled": "2019-05",
            "location_country": "MX", "location_city": "Tijuana", "phone": "+5215512345678",
            "family": 1, "vulnerabilities": []}
    return base | overrides


@pytest.fixture
def store(redis, settings):
    return RegistrationStore(redis, Vault(settings.secret))


@pytest.fixture
def token(redis):
    return api_tokens.create(redis, "Org One", ("registrations:read",))


def get(client, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers, query_string=params)


def make(store, n=0, **overrides):
    return store.create(values(a_number=f"0{n:08d}", **overrides), f"c{n}", "sms", "es")


def test_identity_fields_are_encrypted_and_the_a_number_is_not_a_readable_key(store, redis):
    reg = make(store, 7, name="Zoila Marisol Canales")
    raw = redis.hgetall(f"hl:reg:{reg.reference}")
    dump = " ".join(list(raw.values()) + list(redis.keys("*")))
    for secret in ("Zoila", "000000007", "1990-01-02", "5215512345678"):
        assert secret not in dump
    assert raw["citizenship"] == "HN" and raw["status"] == "received"
    assert store.get(reg.reference, actor=None).name == "Zoila Marisol Canales"


def test_one_a_number_registers_once_even_from_another_phone(store):
    first = store.create(values(), "c1", "sms", "es")
    second = store.create(values(name="Someone Else"), "c2", "sms", "es")
    assert (first.status, second.status, second.duplicate_of) == ("received", "duplicate",
                                                                    first.reference)
    assert [e["action"] for e in store.audit_trail(first.reference)] == [
        "created", "duplicate_attempt"]


def test_erasing_frees_the_a_number(store):
    reg = store.create(values(), "c1", "sms", "es")
    assert store.delete_for_contact("c1", actor="person") == [reg.reference]
    assert store.get(reg.reference, actor=None) is None
    again = store.create(values(), "c1", "sms", "es")
    assert again.status == "received"


def test_references_are_unambiguous_and_typed_any_way():
    from hotline.registration.store import REFERENCE_ALPHABET, new_reference

    for _ in range(200):
        ref = new_reference()
        assert len(ref) == 9 and ref[4] == "-"
        assert not set(ref.replace("-", "")) & set("0O1IL2Z5S8BG")
        assert normalise_reference(ref.lower().replace("-", " ")) == ref
    assert set(REFERENCE_ALPHABET) <= set("ACDEFHJKMNPRTUVWXY34679")
    assert normalise_reference("<script>") is None


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer hlt_forged", "Basic abc"])
def test_no_valid_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/registrations", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] and "Bearer" in response.headers["WWW-Authenticate"]


def test_a_token_without_the_scope_is_403_and_a_revoked_one_401(client, redis):
    broadcaster = api_tokens.create(redis, "Comms", ("broadcasts",))
    assert get(client, "/api/v1/registrations", broadcaster).status_code == 403
    reader = api_tokens.create(redis, "Org Two")
    assert get(client, "/api/v1/registrations", reader).status_code == 200
    api_tokens.revoke(redis, "Org Two")
    assert get(client, "/api/v1/registrations", reader).status_code == 401
    with pytest.raises(ValueError):
        api_tokens.create(redis, "Org", ("everything",))


def test_listing_filters_and_pages(client, store, token):
    make(store, 1, citizenship="HN", enrolled="2019-02")
    make(store, 2, citizenship="GT", enrolled="2019-08", vulnerabilities=["pregnancy"])
    make(store, 3, citizenship="SV", enrolled="2020-01", location_country="MX")
    dup = store.create(values(a_number="000000001"), "c9", "sms", "es")
    everyone = get(client, "/api/v1/registrations", token).get_json()
    assert everyone["total"] == 3 and "name" not in everyone["items"][0]
    assert {i["citizenship"] for i in get(client, "/api/v1/registrations", token,
                                          country="gt").get_json()["items"]} == {"GT"}
    assert get(client, "/api/v1/registrations", token, vulnerable="true").get_json()["total"] == 1
    window = get(client, "/api/v1/registrations", token, enrolled_from="2019-03",
                 enrolled_to="2019-12").get_json()
    assert [i["citizenship"] for i in window["items"]] == ["GT"]
    page = get(client, "/api/v1/registrations", token, per_page=2, page=2).get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 1)
    dups = get(client, "/api/v1/registrations", token, status="duplicate").get_json()
    assert [i["reference"] for i in dups["items"]] == [dup.reference]


@pytest.mark.parametrize("params", [
    {"status": "approved"}, {"country": "Honduras"}, {"enrolled_from": "2019-13"},
    {"vulnerable": "yes"}, {"page": "0"}, {"per_page": "100000"}, {"page": "1; DROP"},
])
def test_bad_filters_are_400_with_a_reason(client, token, params):
    response = get(client, "/api/v1/registrations", token, **params)
    assert response.status_code == 400 and response.get_json()["error"]


def test_fetching_one_shows_identity_and_is_audited(client, store, token):
    reg = make(store, 4, name="Carlos Andres Ruiz")
    body = get(client, f"/api/v1/registrations/{reg.reference.lower()}", token).get_json()
    assert body["name"] == "Carlos Andres Ruiz" and body["a_number"] == "000000004"
    audit = get(client, f"/api/v1/registrations/{reg.reference}/audit", token).get_json()
    assert [(e["actor"], e["action"]) for e in audit["entries"]][-1] == ("api:Org One", "read")
    assert get(client, "/api/v1/registrations/ACDE-FHJK", token).status_code == 404
    assert get(client, "/api/v1/registrations/<script>", token).status_code == 404


def test_csv_export_is_in_priority_order_and_spreadsheet_safe(client, store, token):
    make(store, 5, enrolled="2020-06")
    make(store, 6, enrolled="2019-03")
    make(store, 7, enrolled="2019-03", vulnerabilities=["illness"], name="=HYPERLINK Evil Name")
    response = get(client, "/api/v1/registrations/export.csv", token)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["a_number"] for r in rows] == ["000000007", "000000006", "000000005"]
    assert rows[0]["name"].startswith("'=")
    assert "exported" in [e["action"] for e in store.audit_trail(rows[0]["reference"])]


def test_every_request_is_logged_with_the_organization(client, redis, token):
    get(client, "/api/v1/registrations", token)
    get(client, "/api/v1/registrations")
    log = api_tokens.recent_requests(redis, 2)
    assert [(e["client"], e["status"]) for e in log] == [(None, 401), ("Org One", 200)]
    assert token not in str(log)


def test_tokens_come_from_the_cli(settings, redis):
    result = subprocess.run(
        [sys.executable, "-m", "hotline.ops.cli", "token", "create", "--name", "Org CLI"],
        capture_output=True, text=True, env={"REDIS_URL": settings.redis_url, "PATH": ""},
        timeout=60)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert api_tokens.lookup(redis, token)["name"] == "Org CLI"
    bad = subprocess.run([sys.executable, "-m", "hotline.ops.cli", "token", "create"],
                         capture_output=True, text=True,
                         env={"REDIS_URL": settings.redis_url, "PATH": ""}, timeout=60)
    assert bad.returncode == 2 and "--name" in bad.stderr
