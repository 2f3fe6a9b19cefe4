"""Leads over GraphQL: create, validation, campaign and referral links, update, archive, isolation."""

from __future__ import annotations

import pytest

from resolvers import global_ids
from tests.helpers import execute, gql, ok, refused

LEAD_FIELDS = """
    id firstName lastName name company title email phone status
    version createdAt updatedAt archivedAt
    campaign { id name } referredBy { id name } owner { id name }
"""

CREATE = f"""
mutation Create($input: LeadCreateInput!) {{
  leadCreate(input: $input) {{ lead {{ {LEAD_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
UPDATE = f"""
mutation Update($input: LeadUpdateInput!) {{
  leadUpdate(input: $input) {{ lead {{ {LEAD_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
ARCHIVE = """
mutation Archive($input: LeadArchiveInput!) {
  leadArchive(input: $input) { lead { id archivedAt version } userErrors { field message code } }
}
"""
RESTORE = """
mutation Restore($input: LeadRestoreInput!) {
  leadRestore(input: $input) { lead { id archivedAt version } userErrors { field message code } }
}
"""
LIST = """
query List($filter: LeadFilter) {
  leads(filter: $filter) { totalCount nodes { id lastName } }
}
"""
NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ id ... on Lead {{ {LEAD_FIELDS} }} }} }}
"""
CREATE_CAMPAIGN = """
mutation($input: CampaignCreateInput!) {
  campaignCreate(input: $input) { campaign { id name } userErrors { field message code } }
}
"""
ARCHIVE_CAMPAIGN = """
mutation($input: CampaignArchiveInput!) {
  campaignArchive(input: $input) { campaign { id } userErrors { field message code } }
}
"""
CREATE_CONTACT = """
mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) { contact { id name } userErrors { field message code } }
}
"""
ARCHIVE_CONTACT = """
mutation($input: ContactArchiveInput!) {
  contactArchive(input: $input) { contact { id } userErrors { field message code } }
}
"""
CREATE_USER = """
mutation($input: UserCreateInput!) {
  userCreate(input: $input) { user { id name } userErrors { field message code } }
}
"""
CAMPAIGN_LEADS = """
query($id: ID!, $filter: LeadFilter) {
  node(id: $id) { ... on Campaign { leads(filter: $filter) { totalCount nodes { id lastName } } } }
}
"""




async def create_lead(client, **fields):
    data = await gql(client, CREATE, input={"lastName": "Hopper", **fields})
    return ok(data["leadCreate"])


async def create_campaign(client, name="Spring mailing"):
    data = await gql(client, CREATE_CAMPAIGN, input={"name": name, "type": "EMAIL"})
    return ok(data["campaignCreate"])


async def create_contact(client, first_name="Ada", last_name="Lovelace"):
    data = await gql(client, CREATE_CONTACT, input={"firstName": first_name, "lastName": last_name})
    return ok(data["contactCreate"])


async def create_user(client, name="Owner", email="owner@example.com"):
    return ok((await gql(client, CREATE_USER, input={"name": name, "email": email}))["userCreate"])


async def read(client, lead_id):
    return (await gql(client, NODE, id=lead_id))["node"]


async def test_create_returns_every_field_with_open_status_and_version(client):
    campaign = await create_campaign(client)
    referrer = await create_contact(client)
    owner = await create_user(client)
    lead = await create_lead(
        client,
        firstName="Grace",
        company="Navy",
        title="Rear Admiral",
        email="Grace@Navy.Example.ORG",
        phone="+1 202 555 0199",
        campaignId=campaign["id"],
        referredById=referrer["id"],
        ownerId=owner["id"],
    )
    assert lead["firstName"] == "Grace"
    assert lead["lastName"] == "Hopper"
    assert lead["company"] == "Navy"
    assert lead["title"] == "Rear Admiral"
    assert lead["email"] == "Grace@navy.example.org"
    assert lead["phone"] == "+1 202 555 0199"
    assert lead["status"] == "OPEN"
    assert lead["version"] == 1
    assert lead["archivedAt"] is None
    assert lead["campaign"] == campaign
    assert lead["referredBy"] == referrer
    assert lead["owner"] == owner
    assert lead["createdAt"].endswith("+00:00")
    assert await read(client, lead["id"]) == lead


async def test_only_the_last_name_is_needed(client):
    lead = await create_lead(client, company="  ")
    assert lead["name"] == "Hopper"
    assert lead["status"] == "OPEN"
    for field in (
        "firstName",
        "company",
        "title",
        "email",
        "phone",
        "campaign",
        "referredBy",
        "owner",
    ):
        assert lead[field] is None, field


async def test_name_joins_first_and_last_name(client):
    lead = await create_lead(client, firstName=" Grace ")
    assert lead["name"] == "Grace Hopper"
    data = await gql(
        client, UPDATE, input={"id": lead["id"], "firstName": "Amazing", "lastName": "Grace"}
    )
    assert ok(data["leadUpdate"])["name"] == "Amazing Grace"


async def test_invalid_fields_are_all_reported_in_camel_case_and_nothing_is_written(client):
    data = await gql(
        client,
        CREATE,
        input={
            "lastName": "",
            "firstName": "f" * 101,
            "company": "c" * 256,
            "title": "t" * 151,
            "email": "grace@",
            "phone": "ask the front desk",
        },
    )
    assert data["leadCreate"]["lead"] is None
    errors = data["leadCreate"]["userErrors"]
    fields = {tuple(error["field"]): error["code"] for error in errors}
    assert fields == {
        ("lastName",): "REQUIRED",
        ("firstName",): "INVALID",
        ("company",): "INVALID",
        ("title",): "INVALID",
        ("email",): "INVALID",
        ("phone",): "INVALID",
    }
    assert all(error["message"] for error in errors)
    assert (await gql(client, LIST))["leads"]["totalCount"] == 0


async def test_text_at_the_limit_is_accepted(client):
    lead = await create_lead(client, company="c" * 255, title="t" * 150, lastName="l" * 100)
    assert len(lead["company"]) == 255
    assert len(lead["title"]) == 150
    assert len(lead["lastName"]) == 100


@pytest.mark.parametrize(
    ("field", "model"),
    [
        ("campaignId", "Campaign"),
        ("referredById", "Contact"),
        ("ownerId", "User"),
    ],
)
async def test_references_to_missing_records_are_not_found(client, field, model):
    for bad_id in ("nonsense", global_ids.encode(model, 999_999_999)):
        data = await gql(client, CREATE, input={"lastName": "L", field: bad_id})
        refused(data["leadCreate"], "NOT_FOUND", [field])
    assert (await gql(client, LIST))["leads"]["totalCount"] == 0


async def test_references_of_the_wrong_type_are_not_found(client):
    campaign = await create_campaign(client)
    contact = await create_contact(client)
    owner = await create_user(client)
    for field, wrong in (
        ("campaignId", contact["id"]),
        ("referredById", owner["id"]),
        ("ownerId", campaign["id"]),
    ):
        data = await gql(client, CREATE, input={"lastName": "L", field: wrong})
        refused(data["leadCreate"], "NOT_FOUND", [field])


async def test_archived_campaign_or_referrer_cannot_be_linked(client):
    campaign = await create_campaign(client)
    referrer = await create_contact(client)
    ok((await gql(client, ARCHIVE_CAMPAIGN, input={"id": campaign["id"]}))["campaignArchive"])
    ok((await gql(client, ARCHIVE_CONTACT, input={"id": referrer["id"]}))["contactArchive"])
    data = await gql(client, CREATE, input={"lastName": "L", "campaignId": campaign["id"]})
    refused(data["leadCreate"], "NOT_FOUND", ["campaignId"])
    data = await gql(client, CREATE, input={"lastName": "L", "referredById": referrer["id"]})
    refused(data["leadCreate"], "NOT_FOUND", ["referredById"])


async def test_another_workspaces_campaign_and_contact_are_not_found(client, other_client):
    campaign = await create_campaign(other_client)
    contact = await create_contact(other_client)
    data = await gql(client, CREATE, input={"lastName": "L", "campaignId": campaign["id"]})
    refused(data["leadCreate"], "NOT_FOUND", ["campaignId"])
    data = await gql(client, CREATE, input={"lastName": "L", "referredById": contact["id"]})
    refused(data["leadCreate"], "NOT_FOUND", ["referredById"])


async def test_update_changes_only_given_fields_and_bumps_version(client):
    campaign = await create_campaign(client)
    lead = await create_lead(
        client,
        firstName="Grace",
        company="Navy",
        email="grace@example.com",
        campaignId=campaign["id"],
    )
    data = await gql(
        client,
        UPDATE,
        input={
            "id": lead["id"],
            "expectedVersion": 1,
            "title": "Commodore",
            "company": None,
        },
    )
    updated = ok(data["leadUpdate"])
    assert updated["title"] == "Commodore"
    assert updated["company"] is None
    assert updated["firstName"] == "Grace"
    assert updated["email"] == "grace@example.com"
    assert updated["campaign"] == campaign
    assert updated["status"] == "OPEN"
    assert updated["version"] == 2
    assert updated["updatedAt"] >= lead["updatedAt"]
    assert await read(client, lead["id"]) == updated


async def test_update_sets_and_null_clears_references(client):
    campaign = await create_campaign(client)
    referrer = await create_contact(client)
    lead = await create_lead(client)
    data = await gql(
        client,
        UPDATE,
        input={
            "id": lead["id"],
            "campaignId": campaign["id"],
            "referredById": referrer["id"],
        },
    )
    linked = ok(data["leadUpdate"])
    assert (linked["campaign"], linked["referredBy"]) == (campaign, referrer)
    data = await gql(
        client, UPDATE, input={"id": lead["id"], "campaignId": None, "referredById": None}
    )
    cleared = ok(data["leadUpdate"])
    assert (cleared["campaign"], cleared["referredBy"]) == (None, None)
    assert cleared["version"] == 3


async def test_update_validates_references_and_changes_nothing(client):
    lead = await create_lead(client)
    campaign = await create_campaign(client)
    data = await gql(
        client, UPDATE, input={"id": lead["id"], "referredById": campaign["id"], "title": "X"}
    )
    refused(data["leadUpdate"], "NOT_FOUND", ["referredById"])
    assert await read(client, lead["id"]) == lead


async def test_last_name_cannot_be_cleared(client):
    lead = await create_lead(client)
    data = await gql(client, UPDATE, input={"id": lead["id"], "lastName": None})
    refused(data["leadUpdate"], "REQUIRED", ["lastName"])
    data = await gql(client, UPDATE, input={"id": lead["id"], "lastName": "  "})
    refused(data["leadUpdate"], "REQUIRED", ["lastName"])


async def test_bad_email_and_phone_on_update_name_the_field(client):
    lead = await create_lead(client)
    data = await gql(client, UPDATE, input={"id": lead["id"], "email": "no at sign"})
    refused(data["leadUpdate"], "INVALID", ["email"])
    data = await gql(client, UPDATE, input={"id": lead["id"], "phone": "12"})
    refused(data["leadUpdate"], "INVALID", ["phone"])


async def test_status_is_not_writable_through_update(client):
    lead = await create_lead(client)
    body = await execute(client, UPDATE, input={"id": lead["id"], "status": "QUALIFIED"})
    assert body["errors"]
    assert "status" in body["errors"][0]["message"]
    assert (await read(client, lead["id"]))["status"] == "OPEN"


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    lead = await create_lead(client)
    first = ok(
        (await gql(client, UPDATE, input={"id": lead["id"], "company": "First"}))["leadUpdate"]
    )
    data = await gql(
        client, UPDATE, input={"id": lead["id"], "expectedVersion": 1, "company": "Second"}
    )
    refused(data["leadUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    assert await read(client, lead["id"]) == first


async def test_unknown_or_wrong_type_ids_are_not_found(client):
    contact = await create_contact(client)
    for bad_id in ("nonsense", contact["id"], global_ids.encode("Lead", 999_999_999)):
        data = await gql(client, UPDATE, input={"id": bad_id, "company": "X"})
        refused(data["leadUpdate"], "NOT_FOUND", ["id"])
        data = await gql(client, RESTORE, input={"id": bad_id})
        refused(data["leadRestore"], "NOT_FOUND", ["id"])


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_lead(client, lastName="Kept")
    gone = await create_lead(client, lastName="Gone")
    archived = ok((await gql(client, ARCHIVE, input={"id": gone["id"]}))["leadArchive"])
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    assert (await gql(client, LIST))["leads"]["nodes"] == [{"id": kept["id"], "lastName": "Kept"}]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["leads"]["nodes"] == [{"id": gone["id"], "lastName": "Gone"}]
    assert (await gql(client, LIST, filter={"archived": "ALL"}))["leads"]["totalCount"] == 2

    data = await gql(client, UPDATE, input={"id": gone["id"], "company": "Changed"})
    refused(data["leadUpdate"], "ARCHIVED", ["id"])
    assert (await read(client, gone["id"]))["company"] is None

    restored = ok(
        (await gql(client, RESTORE, input={"id": gone["id"], "expectedVersion": 2}))["leadRestore"]
    )
    assert restored["archivedAt"] is None
    assert restored["version"] == 3
    assert (await gql(client, LIST))["leads"]["totalCount"] == 2
    ok((await gql(client, UPDATE, input={"id": gone["id"], "company": "Changed"}))["leadUpdate"])


async def test_campaign_leads_lists_the_leads_it_sourced(client):
    campaign = await create_campaign(client)
    other = await create_campaign(client, name="Other")
    first = await create_lead(client, lastName="First", campaignId=campaign["id"])
    second = await create_lead(client, lastName="Second", campaignId=campaign["id"])
    await create_lead(client, lastName="Elsewhere", campaignId=other["id"])
    await create_lead(client, lastName="Organic")
    data = await gql(client, CAMPAIGN_LEADS, id=campaign["id"])
    assert data["node"]["leads"] == {
        "totalCount": 2,
        "nodes": [
            {"id": first["id"], "lastName": "First"},
            {"id": second["id"], "lastName": "Second"},
        ],
    }


async def test_campaign_leads_hides_archived_unless_asked_and_follows_moves(client):
    campaign = await create_campaign(client)
    other = await create_campaign(client, name="Other")
    kept = await create_lead(client, lastName="Kept", campaignId=campaign["id"])
    gone = await create_lead(client, lastName="Gone", campaignId=campaign["id"])
    moved = await create_lead(client, lastName="Moved", campaignId=campaign["id"])
    ok((await gql(client, ARCHIVE, input={"id": gone["id"]}))["leadArchive"])
    ok(
        (await gql(client, UPDATE, input={"id": moved["id"], "campaignId": other["id"]}))[
            "leadUpdate"
        ]
    )
    active = await gql(client, CAMPAIGN_LEADS, id=campaign["id"])
    assert active["node"]["leads"] == {
        "totalCount": 1,
        "nodes": [{"id": kept["id"], "lastName": "Kept"}],
    }
    archived = await gql(client, CAMPAIGN_LEADS, id=campaign["id"], filter={"archived": "ARCHIVED"})
    assert archived["node"]["leads"]["nodes"] == [{"id": gone["id"], "lastName": "Gone"}]
    assert (await gql(client, CAMPAIGN_LEADS, id=other["id"]))["node"]["leads"]["nodes"] == [
        {"id": moved["id"], "lastName": "Moved"}
    ]


async def test_a_lead_is_invisible_to_another_workspace(client, other_client):
    lead = await create_lead(client)
    await create_lead(other_client, lastName="Theirs")
    assert (await gql(other_client, NODE, id=lead["id"]))["node"] is None
    theirs = await gql(other_client, LIST, filter={"archived": "ALL"})
    assert [node["lastName"] for node in theirs["leads"]["nodes"]] == ["Theirs"]
    ours = await gql(client, LIST, filter={"archived": "ALL"})
    assert ours["leads"]["nodes"] == [{"id": lead["id"], "lastName": "Hopper"}]
    data = await gql(other_client, UPDATE, input={"id": lead["id"], "company": "Hijacked"})
    refused(data["leadUpdate"], "NOT_FOUND", ["id"])
    assert await read(client, lead["id"]) == lead
