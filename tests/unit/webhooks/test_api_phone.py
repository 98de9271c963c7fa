"""The organizations' API finds a person's registrations by the number they write from, typed
any way, through the contact store's identity index: SMS and WhatsApp forms alike."""

import csv
import io

import pytest

from hotline.access import api_tokens
from hotline.messaging.channels import parse_address
from support.people import values


def get(client, path, token, **params):
    return client.get(path, headers={"Authorization": f"Bearer {token}"}, query_string=params)


@pytest.fixture
def people(rt):
    """Two people with a registration each; the first wrote by WhatsApp's +521 form."""
    first = rt.contacts.touch_inbound(parse_address("whatsapp:+5215512345641"))
    second = rt.contacts.touch_inbound(parse_address("+525512345642"))
    refs = [rt.registrations.create(values(a_number=f"01234567{n}"), cid, "sms", "es").reference
            for n, cid in enumerate((first, second))]
    return refs


@pytest.mark.parametrize("typed", ["+52 55 1234 5641", "+5215512345641", "55 1234 5641",
                                   "0052-55-1234-5641"])
def test_the_list_finds_a_persons_registration_by_their_number(client, redis, people, typed):
    token = api_tokens.create(redis, "Org One", ("registrations:read",))
    body = get(client, "/api/v1/registrations", token, phone=typed).get_json()
    assert [r["reference"] for r in body["items"]] == [people[0]]


def test_a_number_nobody_writes_from_finds_nothing(client, redis, people):
    token = api_tokens.create(redis, "Org One", ("registrations:read",))
    body = get(client, "/api/v1/registrations", token, phone="+52 55 9999 0000").get_json()
    assert body["items"] == [] and body["total"] == 0


@pytest.mark.parametrize("bad", ["hola", "12", "+52 000 000 0000", "1" * 41, "55 1234 5641'--"])
def test_what_is_not_a_number_is_a_400_that_says_so(client, redis, people, bad):
    token = api_tokens.create(redis, "Org One", ("registrations:read",))
    response = get(client, "/api/v1/registrations", token, phone=bad)
    assert response.status_code == 400 and "phone" in response.get_json()["error"]


def test_the_export_finds_them_by_number_too(client, redis, people):
    token = api_tokens.create(redis, "Org One", ("registrations:identity",))
    response = get(client, "/api/v1/registrations/export.csv", token, phone="+525512345642")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["reference"] for r in rows] == [people[1]]
