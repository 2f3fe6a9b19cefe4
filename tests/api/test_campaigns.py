"""Campaigns over GraphQL: types, money, dates, sourced leads and deals, isolation."""

from __future__ import annotations

from tests.helpers import execute, gql, ok, refused

CAMPAIGN_FIELDS = """
    id name type status budget actualCost currency startDate endDate
    version createdAt updatedAt archivedAt owner { id name }
"""
USER_ERRORS = "userErrors { field message code }"

CREATE = f"""
mutation Create($input: CampaignCreateInput!) {{
  campaignCreate(input: $input) {{ campaign {{ {CAMPAIGN_FIELDS} }} {USER_ERRORS} }}
}}
"""
UPDATE = f"""
mutation Update($input: CampaignUpdateInput!) {{
  campaignUpdate(input: $input) {{ campaign {{ {CAMPAIGN_FIELDS} }} {USER_ERRORS} }}
}}
"""
ARCHIVE = f"""
mutation Archive($input: CampaignArchiveInput!) {{
  campaignArchive(input: $input) {{ campaign {{ id archivedAt version }} {USER_ERRORS} }}
}}
"""
RESTORE = f"""
mutation Restore($input: CampaignRestoreInput!) {{
  campaignRestore(input: $input) {{ campaign {{ id archivedAt version }} {USER_ERRORS} }}
}}
"""
LIST = """
query List($filter: CampaignFilter) {
  campaigns(filter: $filter) { totalCount nodes { id name } }
}
"""
NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ id ... on Campaign {{ {CAMPAIGN_FIELDS} }} }} }}
"""
SOURCED = """
query Sourced($id: ID!) {
  node(id: $id) {
    ... on Campaign {
      leads { totalCount nodes { id name campaign { id } } }
      opportunities { totalCount nodes { id name campaign { id } } }
    }
  }
}
"""
CREATE_USER = f"""
mutation($input: UserCreateInput!) {{ userCreate(input: $input) {{ user {{ id name }} {USER_ERRORS} }} }}
"""
CREATE_LEAD = f"""
mutation($input: LeadCreateInput!) {{ leadCreate(input: $input) {{ lead {{ id name }} {USER_ERRORS} }} }}
"""
CREATE_OPPORTUNITY = f"""
mutation($input: OpportunityCreateInput!) {{
  opportunityCreate(input: $input) {{ opportunity {{ id name }} {USER_ERRORS} }}
}}
"""
ARCHIVE_LEAD = f"""
mutation($id: ID!) {{ leadArchive(input: {{id: $id}}) {{ lead {{ id }} {USER_ERRORS} }} }}
"""

CAMPAIGN_TYPES = (
    "EMAIL", "BLOG", "ADVERTISEMENT", "SOCIAL", "EVENT", "WEBINAR", "CONTENT", "REFERRAL", "OTHER",
)




async def create_campaign(client, **fields):
    data = await gql(client, CREATE, input={"name": "Spring launch", "type": "EMAIL", **fields})
    return ok(data["campaignCreate"])


async def campaign_count(client, archived="ALL"):
    return (await gql(client, LIST, filter={"archived": archived}))["campaigns"]["totalCount"]


async def test_create_with_every_field_starts_planned(client):
    owner = ok((await gql(client, CREATE_USER, input={"name": "Mia", "email": "mia@example.com"}))["userCreate"])
    campaign = await create_campaign(
        client,
        type="WEBINAR",
        budget="25000.00",
        actualCost="1234.50",
        currency="gbp",
        startDate="2026-03-01",
        endDate="2026-03-31",
        ownerId=owner["id"],
    )
    assert campaign["name"] == "Spring launch"
    assert campaign["type"] == "WEBINAR"
    assert campaign["status"] == "PLANNED"
    assert campaign["budget"] == "25000.00"
    assert campaign["actualCost"] == "1234.50"
    assert campaign["currency"] == "GBP"
    assert campaign["startDate"] == "2026-03-01"
    assert campaign["endDate"] == "2026-03-31"
    assert campaign["owner"] == owner
    assert campaign["version"] == 1
    assert campaign["archivedAt"] is None

    read = (await gql(client, NODE, id=campaign["id"]))["node"]
    assert read == campaign


async def test_optional_fields_default_to_none_and_workspace_currency(client):
    campaign = await create_campaign(client)
    assert campaign["status"] == "PLANNED"
    assert campaign["currency"] == "USD"
    assert (campaign["budget"], campaign["actualCost"]) == (None, None)
    assert (campaign["startDate"], campaign["endDate"]) == (None, None)


async def test_every_campaign_type_is_accepted(client):
    for campaign_type in CAMPAIGN_TYPES:
        campaign = await create_campaign(client, name=campaign_type, type=campaign_type)
        assert campaign["type"] == campaign_type
        assert (await gql(client, NODE, id=campaign["id"]))["node"]["type"] == campaign_type
    assert await campaign_count(client) == len(CAMPAIGN_TYPES)


async def test_type_is_required_and_must_be_known(client):
    body = await execute(client, CREATE, input={"name": "No type"})
    assert body["errors"]
    body = await execute(client, CREATE, input={"name": "Bad type", "type": "BILLBOARD"})
    assert body["errors"]
    assert "BILLBOARD" in body["errors"][0]["message"]
    created = await create_campaign(client)
    data = await gql(client, UPDATE, input={"id": created["id"], "type": None})
    refused(data["campaignUpdate"], "REQUIRED", ["type"])
    assert await campaign_count(client) == 1


async def test_money_is_a_decimal_string_with_cents(client):
    created = await create_campaign(client, budget="1500.5", actualCost="0.1")
    read = (await gql(client, NODE, id=created["id"]))["node"]
    assert (read["budget"], read["actualCost"]) == ("1500.50", "0.10")
    # The payload of the write and every later read agree on the representation.
    assert (created["budget"], created["actualCost"]) == ("1500.50", "0.10")


async def test_invalid_money_is_refused_field_by_field(client):
    data = await gql(client, CREATE, input={
        "name": "Bad money", "type": "EMAIL", "budget": "-5", "actualCost": "1.001", "currency": "EURO",
    })
    payload = data["campaignCreate"]
    assert payload["campaign"] is None
    fields = {tuple(error["field"]): error["code"] for error in payload["userErrors"]}
    assert fields == {("budget",): "INVALID", ("actualCost",): "INVALID", ("currency",): "INVALID"}
    assert await campaign_count(client) == 0


async def test_end_date_before_start_date_is_refused(client):
    data = await gql(client, CREATE, input={
        "name": "Backwards", "type": "EVENT", "startDate": "2026-05-10", "endDate": "2026-05-09",
    })
    refused(data["campaignCreate"], "INVALID", ["endDate"])
    assert await campaign_count(client) == 0
    one_day = await create_campaign(client, startDate="2026-05-10", endDate="2026-05-10")
    assert (one_day["startDate"], one_day["endDate"]) == ("2026-05-10", "2026-05-10")


async def test_moving_only_the_start_after_the_end_is_refused(client):
    campaign = await create_campaign(client, startDate="2026-05-01", endDate="2026-05-31")
    data = await gql(client, UPDATE, input={"id": campaign["id"], "startDate": "2026-06-01"})
    refused(data["campaignUpdate"], "INVALID", ["endDate"])
    read = (await gql(client, NODE, id=campaign["id"]))["node"]
    assert (read["startDate"], read["endDate"], read["version"]) == ("2026-05-01", "2026-05-31", 1)


async def test_moving_only_the_end_before_the_start_is_refused(client):
    campaign = await create_campaign(client, startDate="2026-05-01", endDate="2026-05-31")
    data = await gql(client, UPDATE, input={"id": campaign["id"], "endDate": "2026-04-30"})
    refused(data["campaignUpdate"], "INVALID", ["endDate"])
    read = (await gql(client, NODE, id=campaign["id"]))["node"]
    assert (read["startDate"], read["endDate"]) == ("2026-05-01", "2026-05-31")

    data = await gql(client, UPDATE, input={"id": campaign["id"], "endDate": "2026-06-30"})
    assert ok(data["campaignUpdate"])["endDate"] == "2026-06-30"
    data = await gql(client, UPDATE, input={"id": campaign["id"], "startDate": None})
    assert ok(data["campaignUpdate"])["startDate"] is None


async def test_campaign_lists_the_leads_and_deals_it_sourced(client):
    campaign = await create_campaign(client, name="Sourcing")
    other = await create_campaign(client, name="Other")
    lead = ok((await gql(client, CREATE_LEAD, input={"lastName": "Lee", "campaignId": campaign["id"]}))["leadCreate"])
    gone = ok((await gql(client, CREATE_LEAD, input={"lastName": "Gone", "campaignId": campaign["id"]}))["leadCreate"])
    ok((await gql(client, CREATE_LEAD, input={"lastName": "Elsewhere", "campaignId": other["id"]}))["leadCreate"])
    ok((await gql(client, CREATE_LEAD, input={"lastName": "Organic"}))["leadCreate"])
    deal = ok((await gql(client, CREATE_OPPORTUNITY, input={"name": "Deal", "campaignId": campaign["id"]}))["opportunityCreate"])
    ok((await gql(client, CREATE_OPPORTUNITY, input={"name": "Other deal", "campaignId": other["id"]}))["opportunityCreate"])
    assert (await gql(client, ARCHIVE_LEAD, id=gone["id"]))["leadArchive"]["userErrors"] == []

    sourced = (await gql(client, SOURCED, id=campaign["id"]))["node"]
    assert sourced["leads"] == {
        "totalCount": 1,
        "nodes": [{"id": lead["id"], "name": "Lee", "campaign": {"id": campaign["id"]}}],
    }
    assert sourced["opportunities"] == {
        "totalCount": 1,
        "nodes": [{"id": deal["id"], "name": "Deal", "campaign": {"id": campaign["id"]}}],
    }


async def test_archived_campaign_cannot_source_new_records(client):
    campaign = await create_campaign(client)
    ok((await gql(client, ARCHIVE, input={"id": campaign["id"]}))["campaignArchive"])
    data = await gql(client, CREATE_LEAD, input={"lastName": "Lee", "campaignId": campaign["id"]})
    refused(data["leadCreate"], "NOT_FOUND", ["campaignId"])
    data = await gql(client, CREATE_OPPORTUNITY, input={"name": "Deal", "campaignId": campaign["id"]})
    refused(data["opportunityCreate"], "NOT_FOUND", ["campaignId"])


async def test_update_changes_only_given_fields_and_bumps_version(client):
    campaign = await create_campaign(client, budget="100.00", actualCost="20.00")
    data = await gql(client, UPDATE, input={
        "id": campaign["id"], "expectedVersion": 1, "name": "Summer launch", "actualCost": None,
    })
    updated = ok(data["campaignUpdate"])
    assert updated["name"] == "Summer launch"
    assert updated["actualCost"] is None
    assert updated["budget"] == "100.00"
    assert updated["type"] == "EMAIL"
    assert updated["status"] == "PLANNED"
    assert updated["version"] == 2
    assert updated["updatedAt"] >= campaign["updatedAt"]


async def test_status_cannot_be_set_through_update(client):
    campaign = await create_campaign(client)
    body = await execute(client, UPDATE, input={"id": campaign["id"], "status": "ACTIVE"})
    assert body["errors"]
    assert (await gql(client, NODE, id=campaign["id"]))["node"]["status"] == "PLANNED"


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    campaign = await create_campaign(client, budget="100.00")
    ok((await gql(client, UPDATE, input={"id": campaign["id"], "name": "First"}))["campaignUpdate"])
    data = await gql(client, UPDATE, input={
        "id": campaign["id"], "expectedVersion": 1, "name": "Second", "budget": "1.00",
    })
    refused(data["campaignUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    assert data["campaignUpdate"]["campaign"] is None
    node = (await gql(client, NODE, id=campaign["id"]))["node"]
    assert (node["name"], node["budget"], node["version"]) == ("First", "100.00", 2)


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_campaign(client, name="Kept")
    gone = await create_campaign(client, name="Gone")
    archived = ok((await gql(client, ARCHIVE, input={"id": gone["id"], "expectedVersion": 1}))["campaignArchive"])
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    assert (await gql(client, LIST))["campaigns"]["nodes"] == [{"id": kept["id"], "name": "Kept"}]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["campaigns"]["nodes"] == [{"id": gone["id"], "name": "Gone"}]
    assert await campaign_count(client, "ALL") == 2

    data = await gql(client, UPDATE, input={"id": gone["id"], "name": "Changed"})
    refused(data["campaignUpdate"], "ARCHIVED", ["id"])

    restored = ok((await gql(client, RESTORE, input={"id": gone["id"]}))["campaignRestore"])
    assert restored["archivedAt"] is None
    assert (await gql(client, LIST))["campaigns"]["totalCount"] == 2


async def test_restore_with_stale_version_changes_nothing(client):
    campaign = await create_campaign(client)
    ok((await gql(client, ARCHIVE, input={"id": campaign["id"]}))["campaignArchive"])
    data = await gql(client, RESTORE, input={"id": campaign["id"], "expectedVersion": 1})
    refused(data["campaignRestore"], "VERSION_CONFLICT")
    assert await campaign_count(client, "ARCHIVED") == 1


async def test_unknown_or_wrong_type_ids_are_not_found(client):
    lead = ok((await gql(client, CREATE_LEAD, input={"lastName": "Lee"}))["leadCreate"])
    for bad_id in ("nonsense", lead["id"]):
        data = await gql(client, UPDATE, input={"id": bad_id, "name": "X"})
        refused(data["campaignUpdate"], "NOT_FOUND", ["id"])
        data = await gql(client, ARCHIVE, input={"id": bad_id})
        refused(data["campaignArchive"], "NOT_FOUND", ["id"])
    data = await gql(client, CREATE, input={"name": "C", "type": "EMAIL", "ownerId": lead["id"]})
    refused(data["campaignCreate"], "NOT_FOUND", ["ownerId"])


async def test_workspaces_do_not_see_each_others_campaigns(client, other_client):
    campaign = await create_campaign(client, name="Mine")
    await create_campaign(other_client, name="Theirs")
    theirs = (await gql(other_client, LIST, filter={"archived": "ALL"}))["campaigns"]
    assert [node["name"] for node in theirs["nodes"]] == ["Theirs"]
    assert (await gql(other_client, NODE, id=campaign["id"]))["node"] is None
    mine = (await gql(client, LIST))["campaigns"]
    assert [node["name"] for node in mine["nodes"]] == ["Mine"]


async def test_another_workspace_cannot_reference_or_change_campaigns(client, other_client):
    campaign = await create_campaign(client)
    data = await gql(other_client, CREATE_LEAD, input={"lastName": "Lee", "campaignId": campaign["id"]})
    refused(data["leadCreate"], "NOT_FOUND", ["campaignId"])
    data = await gql(other_client, CREATE_OPPORTUNITY, input={"name": "Deal", "campaignId": campaign["id"]})
    refused(data["opportunityCreate"], "NOT_FOUND", ["campaignId"])
    data = await gql(other_client, UPDATE, input={"id": campaign["id"], "name": "Hijacked"})
    refused(data["campaignUpdate"], "NOT_FOUND", ["id"])
    data = await gql(other_client, ARCHIVE, input={"id": campaign["id"]})
    refused(data["campaignArchive"], "NOT_FOUND", ["id"])

    node = (await gql(client, NODE, id=campaign["id"]))["node"]
    assert (node["name"], node["archivedAt"], node["version"]) == ("Spring launch", None, 1)
    sourced = (await gql(client, SOURCED, id=campaign["id"]))["node"]
    assert (sourced["leads"]["totalCount"], sourced["opportunities"]["totalCount"]) == (0, 0)
