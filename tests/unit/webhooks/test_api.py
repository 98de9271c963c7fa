"""The organizations' registrations API: auth, filters, export, audit, privacy."""

from __future__ import annotations

import csv
import io

import pytest

from hotline.access import api_tokens
from hotline.crypto import Vault
from hotline.registration.store import RegistrationStore
from support.people import make, values


@pytest.fixture
def store(redis, settings):
    return RegistrationStore(redis, Vault(settings.secret))


@pytest.fixture
def token(redis):
    return api_tokens.create(redis, "Org One", ("registrations:read",))


def get(client, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers, query_string=params)


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


def test_csv_export_is_in_priority_order_and_spreadsheet_safe(client, store, redis):
    token = api_tokens.create(redis, "Org One", ("registrations:identity",))
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
    # The failed one is logged apart (access.failures), so it cannot push this log out.
    assert [(e["client"], e["status"]) for e in log] == [("Org One", 200)]
    assert token not in str(log)
