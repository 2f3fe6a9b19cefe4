"""Support cases over GraphQL: priority, origin, status, account and contact, isolation."""

from __future__ import annotations

from tests.helpers import execute, gql, ok, refused

CASE_FIELDS = """
    id subject description priority origin status version createdAt updatedAt archivedAt
    owner { id name } account { id name } contact { id name }
"""
USER_ERRORS = "userErrors { field message code }"

CREATE = f"""
mutation Create($input: CaseCreateInput!) {{
  caseCreate(input: $input) {{ case {{ {CASE_FIELDS} }} {USER_ERRORS} }}
}}
"""
UPDATE = f"""
mutation Update($input: CaseUpdateInput!) {{
  caseUpdate(input: $input) {{ case {{ {CASE_FIELDS} }} {USER_ERRORS} }}
}}
"""
ARCHIVE = f"""
mutation Archive($input: CaseArchiveInput!) {{
  caseArchive(input: $input) {{ case {{ id archivedAt version }} {USER_ERRORS} }}
}}
"""
RESTORE = f"""
mutation Restore($input: CaseRestoreInput!) {{
  caseRestore(input: $input) {{ case {{ id archivedAt version }} {USER_ERRORS} }}
}}
"""
LIST = """
query List($filter: CaseFilter) {
  cases(filter: $filter) { totalCount nodes { id subject } }
}
"""
NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ id ... on Case {{ {CASE_FIELDS} }} }} }}
"""
CREATE_USER = f"""
mutation($input: UserCreateInput!) {{ userCreate(input: $input) {{ user {{ id name }} {USER_ERRORS} }} }}
"""
CREATE_ACCOUNT = f"""
mutation($input: AccountCreateInput!) {{
  accountCreate(input: $input) {{ account {{ id name }} {USER_ERRORS} }}
}}
"""
CREATE_CONTACT = f"""
mutation($input: ContactCreateInput!) {{
  contactCreate(input: $input) {{ contact {{ id name }} {USER_ERRORS} }}
}}
"""
ACCOUNT_CASES = """
query($id: ID!, $filter: CaseFilter) {
  node(id: $id) { ... on Account { cases(filter: $filter) { totalCount nodes { id subject } } } }
}
"""
CONTACT_CASES = """
query($id: ID!, $filter: CaseFilter) {
  node(id: $id) { ... on Contact { cases(filter: $filter) { totalCount nodes { id subject } } } }
}
"""

PRIORITIES = ("LOW", "MEDIUM", "HIGH", "URGENT")
ORIGINS = ("EMAIL", "PHONE", "WEB", "CHAT")




async def create_case(client, **fields):
    data = await gql(client, CREATE, input={"subject": "Printer on fire", **fields})
    return ok(data["caseCreate"])


async def create_account(client, name="Acme"):
    return ok((await gql(client, CREATE_ACCOUNT, input={"name": name}))["accountCreate"])


async def create_contact(client, last_name="Doe", account_id=None):
    data = await gql(client, CREATE_CONTACT, input={"lastName": last_name, "accountId": account_id})
    return ok(data["contactCreate"])


async def case_count(client, archived="ALL"):
    return (await gql(client, LIST, filter={"archived": archived}))["cases"]["totalCount"]


async def test_create_with_every_field_starts_new(client):
    owner = ok((await gql(client, CREATE_USER, input={"name": "Sam", "email": "sam@example.com"}))["userCreate"])
    account = await create_account(client)
    contact = await create_contact(client, "Doe", account["id"])
    case = await create_case(
        client,
        description="Smoke everywhere.",
        priority="URGENT",
        origin="PHONE",
        accountId=account["id"],
        contactId=contact["id"],
        ownerId=owner["id"],
    )
    assert case["subject"] == "Printer on fire"
    assert case["description"] == "Smoke everywhere."
    assert case["priority"] == "URGENT"
    assert case["origin"] == "PHONE"
    assert case["status"] == "NEW"
    assert case["account"] == account
    assert case["contact"] == contact
    assert case["owner"] == owner
    assert case["version"] == 1
    assert case["archivedAt"] is None
    assert case["createdAt"].endswith("+00:00")

    read = (await gql(client, NODE, id=case["id"]))["node"]
    assert read == case


async def test_priority_defaults_to_medium_and_origin_to_none(client):
    case = await create_case(client)
    assert case["priority"] == "MEDIUM"
    assert case["origin"] is None
    assert case["status"] == "NEW"
    assert case["account"] is None
    assert case["contact"] is None


async def test_every_priority_and_origin_is_accepted(client):
    for priority, origin in zip(PRIORITIES, ORIGINS, strict=True):
        case = await create_case(client, subject=f"{priority} {origin}", priority=priority, origin=origin)
        assert (case["priority"], case["origin"]) == (priority, origin)
        read = (await gql(client, NODE, id=case["id"]))["node"]
        assert (read["priority"], read["origin"]) == (priority, origin)
    assert await case_count(client) == 4


async def test_unknown_enum_values_are_a_graphql_error(client):
    body = await execute(client, CREATE, input={"subject": "S", "priority": "CRITICAL"})
    assert body["errors"]
    assert "CRITICAL" in body["errors"][0]["message"]
    body = await execute(client, CREATE, input={"subject": "S", "origin": "FAX"})
    assert body["errors"]
    assert await case_count(client) == 0


async def test_status_cannot_be_set_through_create_or_update(client):
    body = await execute(client, CREATE, input={"subject": "S", "status": "CLOSED"})
    assert body["errors"]
    case = await create_case(client)
    body = await execute(client, UPDATE, input={"id": case["id"], "status": "CLOSED"})
    assert body["errors"]
    assert (await gql(client, NODE, id=case["id"]))["node"]["status"] == "NEW"


async def test_subject_is_required_and_nothing_is_written(client):
    data = await gql(client, CREATE, input={"subject": "   "})
    refused(data["caseCreate"], "REQUIRED", ["subject"])
    assert data["caseCreate"]["case"] is None
    assert await case_count(client) == 0


async def test_contact_of_another_account_is_refused(client):
    acme = await create_account(client, "Acme")
    globex = await create_account(client, "Globex")
    stranger = await create_contact(client, "Smith", globex["id"])
    data = await gql(client, CREATE, input={
        "subject": "S", "accountId": acme["id"], "contactId": stranger["id"],
    })
    refused(data["caseCreate"], "INVALID", ["contactId"])
    assert await case_count(client) == 0


async def test_contact_of_the_account_is_accepted_alone_or_together(client):
    account = await create_account(client)
    contact = await create_contact(client, "Doe", account["id"])
    only_contact = await create_case(client, contactId=contact["id"])
    assert only_contact["contact"] == contact
    assert only_contact["account"] is None
    only_account = await create_case(client, accountId=account["id"])
    assert only_account["account"] == account


async def test_changing_the_account_or_contact_keeps_them_consistent(client):
    acme = await create_account(client, "Acme")
    globex = await create_account(client, "Globex")
    acme_contact = await create_contact(client, "Doe", acme["id"])
    globex_contact = await create_contact(client, "Smith", globex["id"])
    case = await create_case(client, accountId=acme["id"], contactId=acme_contact["id"])

    data = await gql(client, UPDATE, input={"id": case["id"], "accountId": globex["id"]})
    refused(data["caseUpdate"], "INVALID", ["contactId"])
    data = await gql(client, UPDATE, input={"id": case["id"], "contactId": globex_contact["id"]})
    refused(data["caseUpdate"], "INVALID", ["contactId"])
    read = (await gql(client, NODE, id=case["id"]))["node"]
    assert (read["account"]["id"], read["contact"]["id"], read["version"]) == (acme["id"], acme_contact["id"], 1)

    data = await gql(client, UPDATE, input={
        "id": case["id"], "accountId": globex["id"], "contactId": globex_contact["id"],
    })
    moved = ok(data["caseUpdate"])
    assert (moved["account"], moved["contact"]) == (globex, globex_contact)


async def test_account_and_contact_list_their_cases(client):
    acme = await create_account(client, "Acme")
    globex = await create_account(client, "Globex")
    doe = await create_contact(client, "Doe", acme["id"])
    roe = await create_contact(client, "Roe", acme["id"])
    first = await create_case(client, subject="First", accountId=acme["id"], contactId=doe["id"])
    second = await create_case(client, subject="Second", accountId=acme["id"], contactId=roe["id"])
    third = await create_case(client, subject="Third", accountId=acme["id"], contactId=doe["id"])
    await create_case(client, subject="Elsewhere", accountId=globex["id"])

    account_cases = (await gql(client, ACCOUNT_CASES, id=acme["id"]))["node"]["cases"]
    assert account_cases == {
        "totalCount": 3,
        "nodes": [
            {"id": first["id"], "subject": "First"},
            {"id": second["id"], "subject": "Second"},
            {"id": third["id"], "subject": "Third"},
        ],
    }
    doe_cases = (await gql(client, CONTACT_CASES, id=doe["id"]))["node"]["cases"]
    assert doe_cases == {
        "totalCount": 2,
        "nodes": [{"id": first["id"], "subject": "First"}, {"id": third["id"], "subject": "Third"}],
    }

    ok((await gql(client, ARCHIVE, input={"id": third["id"]}))["caseArchive"])
    doe_cases = (await gql(client, CONTACT_CASES, id=doe["id"]))["node"]["cases"]
    assert doe_cases == {"totalCount": 1, "nodes": [{"id": first["id"], "subject": "First"}]}
    archived = (await gql(client, ACCOUNT_CASES, id=acme["id"], filter={"archived": "ARCHIVED"}))["node"]["cases"]
    assert archived == {"totalCount": 1, "nodes": [{"id": third["id"], "subject": "Third"}]}


async def test_update_changes_only_given_fields_and_bumps_version(client):
    case = await create_case(client, description="Details", origin="WEB")
    data = await gql(client, UPDATE, input={
        "id": case["id"], "expectedVersion": 1, "priority": "HIGH", "origin": None,
    })
    updated = ok(data["caseUpdate"])
    assert updated["priority"] == "HIGH"
    assert updated["origin"] is None
    assert updated["description"] == "Details"
    assert updated["subject"] == "Printer on fire"
    assert updated["status"] == "NEW"
    assert updated["version"] == 2
    assert updated["updatedAt"] >= case["updatedAt"]


async def test_priority_cannot_be_cleared(client):
    case = await create_case(client, priority="LOW")
    data = await gql(client, UPDATE, input={"id": case["id"], "priority": None})
    refused(data["caseUpdate"], "REQUIRED", ["priority"])
    assert (await gql(client, NODE, id=case["id"]))["node"]["priority"] == "LOW"


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    case = await create_case(client)
    ok((await gql(client, UPDATE, input={"id": case["id"], "subject": "First"}))["caseUpdate"])
    data = await gql(client, UPDATE, input={
        "id": case["id"], "expectedVersion": 1, "subject": "Second", "priority": "URGENT",
    })
    refused(data["caseUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    assert data["caseUpdate"]["case"] is None
    node = (await gql(client, NODE, id=case["id"]))["node"]
    assert (node["subject"], node["priority"], node["version"]) == ("First", "MEDIUM", 2)


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_case(client, subject="Kept")
    gone = await create_case(client, subject="Gone")
    archived = ok((await gql(client, ARCHIVE, input={"id": gone["id"], "expectedVersion": 1}))["caseArchive"])
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    assert (await gql(client, LIST))["cases"]["nodes"] == [{"id": kept["id"], "subject": "Kept"}]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["cases"]["nodes"] == [{"id": gone["id"], "subject": "Gone"}]
    assert await case_count(client, "ALL") == 2

    data = await gql(client, UPDATE, input={"id": gone["id"], "subject": "Changed"})
    refused(data["caseUpdate"], "ARCHIVED", ["id"])

    restored = ok((await gql(client, RESTORE, input={"id": gone["id"]}))["caseRestore"])
    assert restored["archivedAt"] is None
    assert (await gql(client, LIST))["cases"]["totalCount"] == 2


async def test_archive_with_stale_version_changes_nothing(client):
    case = await create_case(client)
    data = await gql(client, ARCHIVE, input={"id": case["id"], "expectedVersion": 3})
    refused(data["caseArchive"], "VERSION_CONFLICT")
    assert await case_count(client, "ACTIVE") == 1


async def test_unknown_or_wrong_type_ids_are_not_found(client):
    account = await create_account(client)
    contact = await create_contact(client)
    case = await create_case(client)
    for bad_id in ("nonsense", account["id"]):
        data = await gql(client, UPDATE, input={"id": bad_id, "subject": "X"})
        refused(data["caseUpdate"], "NOT_FOUND", ["id"])
        data = await gql(client, RESTORE, input={"id": bad_id})
        refused(data["caseRestore"], "NOT_FOUND", ["id"])
    data = await gql(client, CREATE, input={"subject": "S", "accountId": contact["id"]})
    refused(data["caseCreate"], "NOT_FOUND", ["accountId"])
    data = await gql(client, UPDATE, input={"id": case["id"], "contactId": account["id"]})
    refused(data["caseUpdate"], "NOT_FOUND", ["contactId"])
    data = await gql(client, CREATE, input={"subject": "S", "ownerId": contact["id"]})
    refused(data["caseCreate"], "NOT_FOUND", ["ownerId"])


async def test_workspaces_do_not_see_each_others_cases(client, other_client):
    case = await create_case(client, subject="Mine")
    await create_case(other_client, subject="Theirs")
    theirs = (await gql(other_client, LIST, filter={"archived": "ALL"}))["cases"]
    assert [node["subject"] for node in theirs["nodes"]] == ["Theirs"]
    assert (await gql(other_client, NODE, id=case["id"]))["node"] is None
    mine = (await gql(client, LIST))["cases"]
    assert [node["subject"] for node in mine["nodes"]] == ["Mine"]


async def test_another_workspace_cannot_reference_or_change_records(client, other_client):
    account = await create_account(client)
    contact = await create_contact(client, "Doe", account["id"])
    case = await create_case(client, accountId=account["id"])

    data = await gql(other_client, CREATE, input={"subject": "S", "accountId": account["id"]})
    refused(data["caseCreate"], "NOT_FOUND", ["accountId"])
    data = await gql(other_client, CREATE, input={"subject": "S", "contactId": contact["id"]})
    refused(data["caseCreate"], "NOT_FOUND", ["contactId"])
    data = await gql(other_client, UPDATE, input={"id": case["id"], "subject": "Hijacked"})
    refused(data["caseUpdate"], "NOT_FOUND", ["id"])
    data = await gql(other_client, ARCHIVE, input={"id": case["id"]})
    refused(data["caseArchive"], "NOT_FOUND", ["id"])

    node = (await gql(client, NODE, id=case["id"]))["node"]
    assert (node["subject"], node["archivedAt"], node["version"]) == ("Printer on fire", None, 1)
    assert await case_count(other_client) == 0
