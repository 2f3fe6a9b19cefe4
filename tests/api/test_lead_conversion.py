"""Lead conversion over GraphQL: what it creates or reuses, what it leaves read-only, and that
it happens once, even when asked for twice at the same moment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.helpers import gql, ok, refused

USER_ERRORS = "userErrors { field message code }"
LEAD_FIELDS = """
    id status version convertedAt
    convertedAccount { id } convertedContact { id } convertedOpportunity { id }
"""
ACCOUNT_FIELDS = "id name phone website lifecycleStage"
CONTACT_FIELDS = "id firstName lastName email phone jobTitle lifecycleStage account { id }"
OPPORTUNITY_FIELDS = """
    id name amount stage probability forecastCategory
    account { id } primaryContact { id } campaign { id }
"""
CONVERT = f"""
mutation($input: LeadConvertInput!) {{
  leadConvert(input: $input) {{
    lead {{ {LEAD_FIELDS} }}
    account {{ {ACCOUNT_FIELDS} }}
    contact {{ {CONTACT_FIELDS} }}
    opportunity {{ {OPPORTUNITY_FIELDS} }}
    {USER_ERRORS}
  }}
}}
"""
CREATE_LEAD = f"""
mutation($input: LeadCreateInput!) {{ leadCreate(input: $input) {{ lead {{ {LEAD_FIELDS} }} {USER_ERRORS} }} }}
"""
UPDATE_LEAD = f"""
mutation($input: LeadUpdateInput!) {{ leadUpdate(input: $input) {{ lead {{ id }} {USER_ERRORS} }} }}
"""
LEAD_TRANSITION = f"""
mutation($input: LeadTransitionInput!) {{
  leadTransition(input: $input) {{ lead {{ id status }} stageChange {{ id }} {USER_ERRORS} }}
}}
"""
CREATE_ACCOUNT = f"""
mutation($input: AccountCreateInput!) {{
  accountCreate(input: $input) {{ account {{ {ACCOUNT_FIELDS} }} {USER_ERRORS} }}
}}
"""
ACCOUNT_TRANSITION = f"""
mutation($input: AccountTransitionInput!) {{
  accountTransition(input: $input) {{ account {{ id lifecycleStage }} {USER_ERRORS} }}
}}
"""
CREATE_CONTACT = f"""
mutation($input: ContactCreateInput!) {{
  contactCreate(input: $input) {{ contact {{ {CONTACT_FIELDS} }} {USER_ERRORS} }}
}}
"""
CONTACT_TRANSITION = f"""
mutation($input: ContactTransitionInput!) {{
  contactTransition(input: $input) {{ contact {{ id lifecycleStage }} {USER_ERRORS} }}
}}
"""
CREATE_CAMPAIGN = f"""
mutation($input: CampaignCreateInput!) {{ campaignCreate(input: $input) {{ campaign {{ id }} {USER_ERRORS} }} }}
"""
HISTORY = """
query($id: ID!) {
  node(id: $id) {
    ... on Account { stageHistory { nodes { fromStage toStage cause reason } } }
    ... on Contact { stageHistory { nodes { fromStage toStage cause reason } } }
    ... on Lead { stageHistory { nodes { fromStage toStage cause reason } } }
    ... on Opportunity { stageHistory { nodes { fromStage toStage cause reason } } }
  }
}
"""
LEAD = f"""query($id: ID!) {{ node(id: $id) {{ ... on Lead {{ {LEAD_FIELDS} }} }} }}"""
ACCOUNT = f"""query($id: ID!) {{ node(id: $id) {{ ... on Account {{ {ACCOUNT_FIELDS} }} }} }}"""
CONTACT = f"""query($id: ID!) {{ node(id: $id) {{ ... on Contact {{ {CONTACT_FIELDS} }} }} }}"""
COUNTS = """
query {
  accounts { totalCount } contacts { totalCount } opportunities { totalCount }
  conversions: stageChanges(filter: { entityTypes: [LEAD], toStages: ["CONVERTED"] }) {
    totalCount
  }
  history: stageChanges { totalCount }
}
"""

LEAD_INPUT = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "company": "Analytical Engines",
    "title": "CTO",
    "email": "ada@engines.example.com",
    "phone": "+44 20 7946 0000",
}


async def create_lead(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    return ok((await gql(client, CREATE_LEAD, input={**LEAD_INPUT, **fields}))["leadCreate"])


async def convert(client: httpx.AsyncClient, lead_id: str, **fields: Any) -> dict[str, Any]:
    return dict((await gql(client, CONVERT, input={"leadId": lead_id, **fields}))["leadConvert"])


def converted(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def history(client: httpx.AsyncClient, record_id: str) -> list[tuple[Any, ...]]:
    node = (await gql(client, HISTORY, id=record_id))["node"]
    return [
        (row["fromStage"], row["toStage"], row["cause"]) for row in node["stageHistory"]["nodes"]
    ]


async def counts(client: httpx.AsyncClient) -> dict[str, int]:
    data = await gql(client, COUNTS)
    return {name: value["totalCount"] for name, value in data.items()}


async def create_account(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    data = await gql(client, CREATE_ACCOUNT, input={"name": "Existing Co", **fields})
    return ok(data["accountCreate"])


async def create_contact(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    data = await gql(client, CREATE_CONTACT, input={"lastName": "Babbage", **fields})
    return ok(data["contactCreate"])


async def test_conversion_creates_account_contact_and_opportunity(client):
    campaign = ok(
        (await gql(client, CREATE_CAMPAIGN, input={"name": "Expo", "type": "EVENT"}))[
            "campaignCreate"
        ]
    )
    lead = await create_lead(client, campaignId=campaign["id"])
    started = datetime.now(UTC)
    payload = converted(
        await convert(
            client,
            lead["id"],
            createOpportunity=True,
            opportunityName="Difference engine",
            amount="25000.00",
        )
    )

    account, contact, opportunity = payload["account"], payload["contact"], payload["opportunity"]
    assert account["name"] == "Analytical Engines"
    assert account["phone"] == LEAD_INPUT["phone"]
    assert account["lifecycleStage"] == "ACQUISITION"
    assert contact == {
        "id": contact["id"],
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@engines.example.com",
        "phone": LEAD_INPUT["phone"],
        "jobTitle": "CTO",
        "lifecycleStage": "ACQUISITION",
        "account": {"id": account["id"]},
    }
    assert opportunity == {
        "id": opportunity["id"],
        "name": "Difference engine",
        "amount": "25000.00",
        "stage": "PROSPECTING",
        "probability": 10,
        "forecastCategory": "PIPELINE",
        "account": {"id": account["id"]},
        "primaryContact": {"id": contact["id"]},
        "campaign": {"id": campaign["id"]},
    }

    lead_after = payload["lead"]
    assert lead_after["status"] == "CONVERTED"
    assert datetime.fromisoformat(lead_after["convertedAt"]) >= started.replace(microsecond=0)
    assert lead_after["convertedAccount"] == {"id": account["id"]}
    assert lead_after["convertedContact"] == {"id": contact["id"]}
    assert lead_after["convertedOpportunity"] == {"id": opportunity["id"]}
    assert (await gql(client, LEAD, id=lead["id"]))["node"] == lead_after

    assert await history(client, lead["id"]) == [
        (None, "OPEN", "CREATED"),
        ("OPEN", "CONVERTED", "LEAD_CONVERSION"),
    ]
    assert await history(client, account["id"]) == [(None, "ACQUISITION", "LEAD_CONVERSION")]
    assert await history(client, contact["id"]) == [(None, "ACQUISITION", "LEAD_CONVERSION")]
    assert await history(client, opportunity["id"]) == [(None, "PROSPECTING", "LEAD_CONVERSION")]


async def test_conversion_without_opportunity_creates_none(client):
    lead = await create_lead(client)
    payload = converted(await convert(client, lead["id"]))
    assert payload["opportunity"] is None
    assert payload["lead"]["convertedOpportunity"] is None
    assert await counts(client) == {
        "accounts": 1,
        "contacts": 1,
        "opportunities": 0,
        "conversions": 1,
        "history": 4,  # the lead's creation and conversion, the account's and contact's creation
    }


async def test_a_lead_without_company_names_the_account_after_the_person(client):
    lead = await create_lead(client, company=None)
    payload = converted(await convert(client, lead["id"]))
    assert payload["account"]["name"] == "Ada Lovelace"


@pytest.mark.parametrize("status", ["CONTACTED", "QUALIFIED"])
async def test_contacted_and_qualified_leads_convert(client, status):
    lead = await create_lead(client)
    payload = await gql(client, LEAD_TRANSITION, input={"id": lead["id"], "to": status})
    assert payload["leadTransition"]["userErrors"] == []
    payload = converted(await convert(client, lead["id"]))
    assert payload["lead"]["status"] == "CONVERTED"
    assert (await history(client, lead["id"]))[-1] == (status, "CONVERTED", "LEAD_CONVERSION")


async def test_existing_account_keeps_its_name_and_gets_only_empty_fields(client):
    account = await create_account(client, website="existing.example.com")
    assert account["lifecycleStage"] == "REACH"
    lead = await create_lead(client)
    payload = converted(await convert(client, lead["id"], accountId=account["id"]))

    assert payload["account"] == {
        "id": account["id"],
        "name": "Existing Co",
        "phone": LEAD_INPUT["phone"],
        "website": "https://existing.example.com",
        "lifecycleStage": "ACQUISITION",
    }
    assert payload["contact"]["account"] == {"id": account["id"]}
    assert payload["contact"]["lifecycleStage"] == "ACQUISITION"
    assert payload["lead"]["convertedAccount"] == {"id": account["id"]}
    assert (await counts(client))["accounts"] == 1
    assert await history(client, account["id"]) == [
        (None, "REACH", "CREATED"),
        ("REACH", "ACQUISITION", "LEAD_CONVERSION"),
    ]


async def test_existing_account_phone_is_not_overwritten(client):
    account = await create_account(client, phone="+1 212 555 0100")
    lead = await create_lead(client)
    payload = converted(await convert(client, lead["id"], accountId=account["id"]))
    assert payload["account"]["phone"] == "+1 212 555 0100"


async def test_existing_customer_account_is_not_moved_back(client):
    account = await create_account(client)
    moved = await gql(client, ACCOUNT_TRANSITION, input={"id": account["id"], "to": "RETENTION"})
    ok(moved["accountTransition"])
    lead = await create_lead(client)
    payload = converted(await convert(client, lead["id"], accountId=account["id"]))
    assert payload["account"]["lifecycleStage"] == "RETENTION"
    assert [row[1] for row in await history(client, account["id"])] == ["REACH", "RETENTION"]


async def test_existing_contact_of_the_account_gets_only_empty_fields(client):
    account = await create_account(client)
    contact = await create_contact(client, accountId=account["id"], firstName=None)
    assert contact["lifecycleStage"] == "REACH"
    lead = await create_lead(client, email="other@engines.example.com")
    contact_with_email = await create_contact(
        client, accountId=account["id"], email="kept@existing.example.com"
    )

    payload = converted(
        await convert(client, lead["id"], accountId=account["id"], contactId=contact["id"])
    )
    assert payload["contact"] == {
        "id": contact["id"],
        "firstName": "Ada",
        "lastName": "Babbage",
        "email": "other@engines.example.com",
        "phone": LEAD_INPUT["phone"],
        "jobTitle": "CTO",
        "lifecycleStage": "ACQUISITION",
        "account": {"id": account["id"]},
    }
    assert payload["lead"]["convertedContact"] == {"id": contact["id"]}
    assert (await counts(client))["contacts"] == 2  # no new contact

    second = await create_lead(client, email="new@engines.example.com")
    payload = converted(
        await convert(
            client, second["id"], accountId=account["id"], contactId=contact_with_email["id"]
        )
    )
    assert payload["contact"]["email"] == "kept@existing.example.com"
    assert payload["contact"]["lastName"] == "Babbage"


async def test_existing_contact_alone_brings_its_account(client):
    account = await create_account(client)
    contact = await create_contact(client, accountId=account["id"])
    lead = await create_lead(client)
    payload = converted(await convert(client, lead["id"], contactId=contact["id"]))
    assert payload["account"]["id"] == account["id"]
    assert payload["contact"]["id"] == contact["id"]
    assert (await counts(client))["accounts"] == 1


async def test_contact_of_another_account_is_refused_and_nothing_changes(client):
    account = await create_account(client)
    elsewhere = await create_account(client, name="Elsewhere Inc")
    contact = await create_contact(client, accountId=elsewhere["id"])
    lead = await create_lead(client)
    before = await counts(client)

    payload = await convert(client, lead["id"], accountId=account["id"], contactId=contact["id"])
    refused(payload, "INVALID", ["contactId"])
    assert payload["lead"] is None
    assert await counts(client) == before
    assert (await gql(client, LEAD, id=lead["id"]))["node"]["status"] == "OPEN"
    assert (await gql(client, ACCOUNT, id=account["id"]))["node"]["lifecycleStage"] == "REACH"
    assert (await gql(client, CONTACT, id=contact["id"]))["node"]["account"] == {
        "id": elsewhere["id"]
    }


async def test_converted_lead_is_read_only(client):
    lead = await create_lead(client)
    converted(await convert(client, lead["id"]))
    before = (await gql(client, LEAD, id=lead["id"]))["node"]

    payload = await gql(client, UPDATE_LEAD, input={"id": lead["id"], "company": "Renamed"})
    refused(payload["leadUpdate"], "READ_ONLY", ["id"])
    for to in ("OPEN", "CONTACTED", "QUALIFIED", "UNQUALIFIED"):
        payload = await gql(
            client, LEAD_TRANSITION, input={"id": lead["id"], "to": to, "reason": "Undo"}
        )
        refused(payload["leadTransition"], "INVALID_TRANSITION", ["to"])
    assert (await gql(client, LEAD, id=lead["id"]))["node"] == before


async def test_converting_twice_is_refused_and_creates_nothing_more(client):
    lead = await create_lead(client)
    first = converted(await convert(client, lead["id"], createOpportunity=True))
    before = await counts(client)
    payload = await convert(client, lead["id"], createOpportunity=True)
    refused(payload, "INVALID_TRANSITION", ["leadId"])
    assert await counts(client) == before
    lead_after = (await gql(client, LEAD, id=lead["id"]))["node"]
    assert lead_after["convertedAccount"] == {"id": first["account"]["id"]}


async def test_unqualified_lead_is_refused(client):
    lead = await create_lead(client)
    payload = await gql(client, LEAD_TRANSITION, input={"id": lead["id"], "to": "UNQUALIFIED"})
    assert payload["leadTransition"]["userErrors"] == []
    before = await counts(client)
    refused(await convert(client, lead["id"]), "INVALID_TRANSITION", ["leadId"])
    assert await counts(client) == before
    assert (await gql(client, LEAD, id=lead["id"]))["node"]["status"] == "UNQUALIFIED"


async def test_unknown_lead_is_not_found(client):
    account = await create_account(client)
    refused(await convert(client, account["id"]), "NOT_FOUND", ["leadId"])


async def test_stale_expected_version_is_a_conflict(client):
    lead = await create_lead(client)
    ok((await gql(client, UPDATE_LEAD, input={"id": lead["id"], "title": "CEO"}))["leadUpdate"])
    refused(
        await convert(client, lead["id"], expectedVersion=1),
        "VERSION_CONFLICT",
        ["expectedVersion"],
    )
    assert (await gql(client, LEAD, id=lead["id"]))["node"]["status"] == "OPEN"


async def test_two_concurrent_conversions_convert_once(client):
    lead = await create_lead(client)

    async def attempt() -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": CONVERT, "variables": {"input": {"leadId": lead["id"]}}},
        )
        return dict(response.json())

    bodies = await asyncio.wait_for(asyncio.gather(attempt(), attempt()), timeout=60)
    successes = [
        body
        for body in bodies
        if "errors" not in body and body["data"]["leadConvert"]["userErrors"] == []
    ]
    failures = [body for body in bodies if body not in successes]
    assert len(successes) == 1, bodies
    assert len(failures) == 1, bodies
    # The loser is told why, as a user error, not an internal error.
    assert "errors" not in failures[0], failures[0]
    assert failures[0]["data"]["leadConvert"]["userErrors"][0]["code"] in (
        "INVALID_TRANSITION",
        "VERSION_CONFLICT",
    )
    assert await counts(client) == {
        "accounts": 1,
        "contacts": 1,
        "opportunities": 0,
        "conversions": 1,
        "history": 4,  # the lead's creation and conversion, the account's and contact's creation
    }
    lead_after = (await gql(client, LEAD, id=lead["id"]))["node"]
    assert lead_after["convertedAccount"] == {
        "id": successes[0]["data"]["leadConvert"]["account"]["id"]
    }


async def test_converting_a_referred_lead_makes_the_referrer_an_advocate(client):
    referrer = await create_contact(client, email="fan@example.com")
    assert referrer["lifecycleStage"] == "ACQUISITION"
    lead = await create_lead(client, referredById=referrer["id"])
    converted(await convert(client, lead["id"]))
    node = (await gql(client, CONTACT, id=referrer["id"]))["node"]
    assert node["lifecycleStage"] == "ADVOCACY"
    assert await history(client, referrer["id"]) == [
        (None, "ACQUISITION", "CREATED"),
        ("ACQUISITION", "ADVOCACY", "REFERRAL"),
    ]


async def test_a_churned_referrer_stays_churned(client):
    referrer = await create_contact(client, email="gone@example.com")
    for to, reason in (("CONVERSION", None), ("CHURNED", "Cancelled")):
        payload = await gql(
            client, CONTACT_TRANSITION, input={"id": referrer["id"], "to": to, "reason": reason}
        )
        ok(payload["contactTransition"])
    lead = await create_lead(client, referredById=referrer["id"])
    converted(await convert(client, lead["id"]))
    assert (await gql(client, CONTACT, id=referrer["id"]))["node"]["lifecycleStage"] == "CHURNED"


async def test_an_unconverted_referral_moves_nobody(client):
    referrer = await create_contact(client, email="fan@example.com")
    lead = await create_lead(client, referredById=referrer["id"])
    payload = await gql(client, LEAD_TRANSITION, input={"id": lead["id"], "to": "QUALIFIED"})
    assert payload["leadTransition"]["userErrors"] == []
    assert (await gql(client, CONTACT, id=referrer["id"]))["node"]["lifecycleStage"] == (
        "ACQUISITION"
    )
