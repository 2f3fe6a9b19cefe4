"""Accounts over GraphQL: create, read, update with versions, archive, restore, hierarchy."""

from __future__ import annotations

from tests.helpers import gql, ok, refused

ACCOUNT_FIELDS = """
    id name website industry employeeCount annualRevenue currency phone
    billingAddress { street city state postalCode country }
    lifecycleStage version createdAt updatedAt archivedAt
    owner { id name } parent { id name }
"""

CREATE = f"""
mutation Create($input: AccountCreateInput!) {{
  accountCreate(input: $input) {{ account {{ {ACCOUNT_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
UPDATE = f"""
mutation Update($input: AccountUpdateInput!) {{
  accountUpdate(input: $input) {{ account {{ {ACCOUNT_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
ARCHIVE = """
mutation Archive($input: AccountArchiveInput!) {
  accountArchive(input: $input) { account { id archivedAt version } userErrors { field message code } }
}
"""
RESTORE = """
mutation Restore($input: AccountRestoreInput!) {
  accountRestore(input: $input) { account { id archivedAt version } userErrors { field message code } }
}
"""
LIST = """
query List($filter: AccountFilter) {
  accounts(filter: $filter) { totalCount nodes { id name } }
}
"""
NODE = """
query Node($id: ID!) { node(id: $id) { id ... on Account { name lifecycleStage } } }
"""
CREATE_USER = """
mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id name } userErrors { code field message } } }
"""


async def create_account(client, **fields):
    data = await gql(client, CREATE, input={"name": "Acme", **fields})
    return ok(data["accountCreate"])


async def test_create_returns_every_field_with_initial_stage_and_version(client):
    owner = ok(
        (await gql(client, CREATE_USER, input={"name": "Ada", "email": "ada@example.com"}))[
            "userCreate"
        ]
    )
    account = await create_account(
        client,
        website="acme.example.com",
        industry="Aerospace",
        employeeCount=250,
        annualRevenue="1250000.50",
        currency="eur",
        phone="+49 30 1234567",
        billingAddress={
            "street": "Hauptstr. 1",
            "city": "Berlin",
            "postalCode": "10115",
            "country": "de",
        },
        ownerId=owner["id"],
    )
    assert account["name"] == "Acme"
    assert account["website"] == "https://acme.example.com"
    assert account["annualRevenue"] == "1250000.50"
    assert account["currency"] == "EUR"
    assert account["billingAddress"] == {
        "street": "Hauptstr. 1",
        "city": "Berlin",
        "state": None,
        "postalCode": "10115",
        "country": "DE",
    }
    assert account["lifecycleStage"] == "ACQUISITION"  # it has a phone: reachable
    assert account["version"] == 1
    assert account["archivedAt"] is None
    assert account["owner"] == owner
    assert account["createdAt"].endswith("+00:00")


async def test_currency_defaults_to_the_workspace_currency(client):
    account = await create_account(client)
    assert account["currency"] == "USD"


async def test_invalid_fields_are_all_reported_and_nothing_is_written(client):
    data = await gql(
        client,
        CREATE,
        input={
            "name": "  ",
            "website": "not a url",
            "annualRevenue": "10.123",
            "currency": "XXQ",
            "employeeCount": -1,
            "phone": "call me",
            "billingAddress": {"country": "Narnia"},
        },
    )
    errors = data["accountCreate"]["userErrors"]
    assert data["accountCreate"]["account"] is None
    fields = {tuple(error["field"]): error["code"] for error in errors}
    assert fields == {
        ("name",): "REQUIRED",
        ("website",): "INVALID",
        ("annualRevenue",): "INVALID",
        ("currency",): "INVALID",
        ("employeeCount",): "INVALID",
        ("phone",): "INVALID",
        ("billingAddress",): "INVALID",
    }
    assert all(error["message"] for error in errors)
    listed = await gql(client, LIST)
    assert listed["accounts"]["totalCount"] == 0


async def test_update_changes_only_given_fields_and_bumps_version(client):
    account = await create_account(client, industry="Retail", phone="555-0100")
    data = await gql(
        client,
        UPDATE,
        input={
            "id": account["id"],
            "expectedVersion": 1,
            "name": "Acme Corp",
            "phone": None,
        },
    )
    updated = ok(data["accountUpdate"])
    assert updated["name"] == "Acme Corp"
    assert updated["industry"] == "Retail"
    assert updated["phone"] is None
    assert updated["version"] == 2
    assert updated["updatedAt"] >= account["updatedAt"]


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    account = await create_account(client)
    ok((await gql(client, UPDATE, input={"id": account["id"], "name": "First"}))["accountUpdate"])
    data = await gql(
        client, UPDATE, input={"id": account["id"], "expectedVersion": 1, "name": "Second"}
    )
    refused(data["accountUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    node = (await gql(client, NODE, id=account["id"]))["node"]
    assert node["name"] == "First"


async def test_required_field_cannot_be_cleared(client):
    account = await create_account(client)
    data = await gql(client, UPDATE, input={"id": account["id"], "name": None})
    refused(data["accountUpdate"], "REQUIRED", ["name"])


async def test_unknown_or_foreign_type_ids_are_not_found(client):
    account = await create_account(client)
    contact = await gql(
        client,
        """mutation { contactCreate(input: {lastName: "Doe"}) { contact { id } userErrors { code } } }""",
    )
    contact_id = contact["contactCreate"]["contact"]["id"]
    for bad_id in ("nonsense", contact_id):
        data = await gql(client, UPDATE, input={"id": bad_id, "name": "X"})
        refused(data["accountUpdate"], "NOT_FOUND", ["id"])
    data = await gql(client, UPDATE, input={"id": account["id"], "parentId": contact_id})
    refused(data["accountUpdate"], "NOT_FOUND", ["parentId"])


async def test_parent_hierarchy_refuses_cycles(client):
    group = await create_account(client, name="Group")
    subsidiary = await create_account(client, name="Subsidiary", parentId=group["id"])
    assert subsidiary["parent"] == {"id": group["id"], "name": "Group"}
    for parent in (group["id"], subsidiary["id"]):
        data = await gql(client, UPDATE, input={"id": group["id"], "parentId": parent})
        refused(data["accountUpdate"], "INVALID", ["parentId"])
    children = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Account { childAccounts { totalCount nodes { name } } } } }",
        id=group["id"],
    )
    assert children["node"]["childAccounts"] == {"totalCount": 1, "nodes": [{"name": "Subsidiary"}]}


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_account(client, name="Kept")
    gone = await create_account(client, name="Gone")
    archived = ok((await gql(client, ARCHIVE, input={"id": gone["id"]}))["accountArchive"])
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    active = await gql(client, LIST)
    assert active["accounts"]["nodes"] == [{"id": kept["id"], "name": "Kept"}]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["accounts"]["nodes"] == [{"id": gone["id"], "name": "Gone"}]
    everything = await gql(client, LIST, filter={"archived": "ALL"})
    assert everything["accounts"]["totalCount"] == 2

    data = await gql(client, UPDATE, input={"id": gone["id"], "name": "Changed"})
    refused(data["accountUpdate"], "ARCHIVED", ["id"])

    restored = ok((await gql(client, RESTORE, input={"id": gone["id"]}))["accountRestore"])
    assert restored["archivedAt"] is None
    assert (await gql(client, LIST))["accounts"]["totalCount"] == 2


async def test_archive_with_stale_version_changes_nothing(client):
    account = await create_account(client)
    data = await gql(client, ARCHIVE, input={"id": account["id"], "expectedVersion": 7})
    refused(data["accountArchive"], "VERSION_CONFLICT")
    assert (await gql(client, LIST))["accounts"]["totalCount"] == 1
