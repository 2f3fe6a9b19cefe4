"""Contacts over GraphQL: create, validation, references, versioned update, archive, isolation."""

from __future__ import annotations

import asyncio

import pytest

from resolvers import global_ids
from tests.helpers import execute, gql, ok, refused

CONTACT_FIELDS = """
    id firstName lastName name email phone jobTitle lifecycleStage
    version createdAt updatedAt archivedAt
    account { id name } owner { id name }
"""

CREATE = f"""
mutation Create($input: ContactCreateInput!) {{
  contactCreate(input: $input) {{ contact {{ {CONTACT_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
UPDATE = f"""
mutation Update($input: ContactUpdateInput!) {{
  contactUpdate(input: $input) {{ contact {{ {CONTACT_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
ARCHIVE = """
mutation Archive($input: ContactArchiveInput!) {
  contactArchive(input: $input) { contact { id archivedAt version } userErrors { field message code } }
}
"""
RESTORE = """
mutation Restore($input: ContactRestoreInput!) {
  contactRestore(input: $input) { contact { id archivedAt version } userErrors { field message code } }
}
"""
LIST = """
query List($filter: ContactFilter) {
  contacts(filter: $filter) { totalCount nodes { id lastName } }
}
"""
NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ id ... on Contact {{ {CONTACT_FIELDS} }} }} }}
"""
CREATE_ACCOUNT = """
mutation($input: AccountCreateInput!) {
  accountCreate(input: $input) { account { id name } userErrors { field message code } }
}
"""
ARCHIVE_ACCOUNT = """
mutation($input: AccountArchiveInput!) {
  accountArchive(input: $input) { account { id } userErrors { field message code } }
}
"""
CREATE_USER = """
mutation($input: UserCreateInput!) {
  userCreate(input: $input) { user { id name } userErrors { field message code } }
}
"""
CREATE_LEAD = """
mutation($input: LeadCreateInput!) {
  leadCreate(input: $input) { lead { id lastName } userErrors { field message code } }
}
"""
ARCHIVE_LEAD = """
mutation($input: LeadArchiveInput!) {
  leadArchive(input: $input) { lead { id } userErrors { field message code } }
}
"""
ACCOUNT_CONTACTS = """
query($id: ID!, $filter: ContactFilter) {
  node(id: $id) { ... on Account { contacts(filter: $filter) { totalCount nodes { id name } } } }
}
"""
REFERRED_LEADS = """
query($id: ID!, $filter: LeadFilter) {
  node(id: $id) { ... on Contact { referredLeads(filter: $filter) { totalCount nodes { id lastName } } } }
}
"""




async def create_contact(client, **fields):
    data = await gql(client, CREATE, input={"lastName": "Lovelace", **fields})
    return ok(data["contactCreate"])


async def create_account(client, name="Acme"):
    return ok((await gql(client, CREATE_ACCOUNT, input={"name": name}))["accountCreate"])


async def create_user(client, name="Ada", email="owner@example.com"):
    return ok((await gql(client, CREATE_USER, input={"name": name, "email": email}))["userCreate"])


async def read(client, contact_id):
    return (await gql(client, NODE, id=contact_id))["node"]


async def test_create_returns_every_field_with_initial_stage_and_version(client):
    account = await create_account(client)
    owner = await create_user(client)
    contact = await create_contact(
        client,
        firstName="Ada",
        email="Ada.Lovelace@Example.COM",
        phone="+44 20 7946 0018",
        jobTitle="Analyst",
        accountId=account["id"],
        ownerId=owner["id"],
    )
    assert contact["firstName"] == "Ada"
    assert contact["lastName"] == "Lovelace"
    assert contact["email"] == "Ada.Lovelace@example.com"
    assert contact["phone"] == "+44 20 7946 0018"
    assert contact["jobTitle"] == "Analyst"
    assert contact["lifecycleStage"] == "ACQUISITION"  # reachable: it has an email
    assert contact["version"] == 1
    assert contact["archivedAt"] is None
    assert contact["account"] == account
    assert contact["owner"] == owner
    assert contact["createdAt"].endswith("+00:00")
    assert await read(client, contact["id"]) == contact


async def test_only_the_last_name_is_needed_and_optional_fields_start_empty(client):
    contact = await create_contact(client, firstName="  ", email="")
    assert contact["firstName"] is None
    assert contact["email"] is None
    assert contact["phone"] is None
    assert contact["jobTitle"] is None
    assert contact["account"] is None
    assert contact["owner"] is None


async def test_name_joins_first_and_last_name(client):
    full = await create_contact(client, firstName="  Ada ", lastName=" Lovelace ")
    assert full["name"] == "Ada Lovelace"
    assert (full["firstName"], full["lastName"]) == ("Ada", "Lovelace")
    last_only = await create_contact(client, lastName="Hopper")
    assert last_only["name"] == "Hopper"


async def test_name_follows_updates(client):
    contact = await create_contact(client, firstName="Ada")
    data = await gql(
        client, UPDATE, input={"id": contact["id"], "firstName": None, "lastName": "Byron"}
    )
    assert ok(data["contactUpdate"])["name"] == "Byron"


async def test_invalid_fields_are_all_reported_in_camel_case_and_nothing_is_written(client):
    data = await gql(
        client,
        CREATE,
        input={
            "lastName": "  ",
            "firstName": "x" * 101,
            "jobTitle": "x" * 151,
            "email": "not-an-email",
            "phone": "call me maybe",
        },
    )
    assert data["contactCreate"]["contact"] is None
    errors = data["contactCreate"]["userErrors"]
    fields = {tuple(error["field"]): error["code"] for error in errors}
    assert fields == {
        ("lastName",): "REQUIRED",
        ("firstName",): "INVALID",
        ("jobTitle",): "INVALID",
        ("email",): "INVALID",
        ("phone",): "INVALID",
    }
    assert all(error["message"] for error in errors)
    assert (await gql(client, LIST))["contacts"]["totalCount"] == 0


@pytest.mark.parametrize("email", ["plainaddress", "a@b", "ada@@example.com", "ada @example.com"])
async def test_bad_email_is_invalid(client, email):
    data = await gql(client, CREATE, input={"lastName": "L", "email": email})
    refused(data["contactCreate"], "INVALID", ["email"])


@pytest.mark.parametrize("phone", ["12", "phone: 555", "+1 555 0100 call", "1" * 21, "1.-" * 14])
async def test_bad_phone_is_invalid(client, phone):
    data = await gql(client, CREATE, input={"lastName": "L", "phone": phone})
    refused(data["contactCreate"], "INVALID", ["phone"])


async def test_phone_whitespace_is_collapsed_and_extensions_are_kept(client):
    contact = await create_contact(client, phone="  +1 (555)   010-0100  ext. 12 ")
    assert contact["phone"] == "+1 (555) 010-0100 ext. 12"


async def test_text_at_the_limit_is_accepted(client):
    contact = await create_contact(
        client, firstName="é" * 100, lastName="L" * 100, jobTitle="j" * 150
    )
    assert contact["firstName"] == "é" * 100
    assert len(contact["lastName"]) == 100
    assert len(contact["jobTitle"]) == 150


async def test_too_long_last_name_is_invalid(client):
    data = await gql(client, CREATE, input={"lastName": "L" * 101})
    error = refused(data["contactCreate"], "INVALID", ["lastName"])
    assert "100" in error["message"]


async def test_text_with_a_nul_character_is_invalid(client):
    # PostgreSQL cannot store U+0000 in text; the API refuses it on every database alike.
    data = await gql(client, CREATE, input={"lastName": "Love\u0000lace"})
    refused(data["contactCreate"], "INVALID", ["lastName"])
    assert (await gql(client, LIST))["contacts"]["totalCount"] == 0


async def test_account_and_owner_must_be_live_records_of_the_right_type(client):
    account = await create_account(client)
    owner = await create_user(client)
    for field, wrong in (
        ("accountId", owner["id"]),
        ("ownerId", account["id"]),
        ("accountId", "nonsense"),
    ):
        data = await gql(client, CREATE, input={"lastName": "L", field: wrong})
        refused(data["contactCreate"], "NOT_FOUND", [field])
    missing = global_ids.encode("Account", 999_999_999)
    data = await gql(client, CREATE, input={"lastName": "L", "accountId": missing})
    refused(data["contactCreate"], "NOT_FOUND", ["accountId"])
    assert (await gql(client, LIST))["contacts"]["totalCount"] == 0


async def test_an_archived_account_cannot_be_linked(client):
    account = await create_account(client)
    ok((await gql(client, ARCHIVE_ACCOUNT, input={"id": account["id"]}))["accountArchive"])
    data = await gql(client, CREATE, input={"lastName": "L", "accountId": account["id"]})
    refused(data["contactCreate"], "NOT_FOUND", ["accountId"])


async def test_another_workspaces_account_is_not_found(client, other_client):
    foreign = await create_account(other_client, name="Foreign")
    data = await gql(client, CREATE, input={"lastName": "L", "accountId": foreign["id"]})
    refused(data["contactCreate"], "NOT_FOUND", ["accountId"])


async def test_update_changes_only_given_fields_and_bumps_version(client):
    account = await create_account(client)
    contact = await create_contact(
        client, firstName="Ada", email="ada@example.com", phone="555-0100", accountId=account["id"]
    )
    data = await gql(
        client,
        UPDATE,
        input={
            "id": contact["id"],
            "expectedVersion": 1,
            "jobTitle": "Countess",
            "phone": None,
        },
    )
    updated = ok(data["contactUpdate"])
    assert updated["jobTitle"] == "Countess"
    assert updated["phone"] is None
    assert updated["firstName"] == "Ada"
    assert updated["email"] == "ada@example.com"
    assert updated["account"] == account
    assert updated["version"] == 2
    assert updated["createdAt"] == contact["createdAt"]
    assert updated["updatedAt"] >= contact["updatedAt"]
    assert await read(client, contact["id"]) == updated


async def test_null_clears_references(client):
    account = await create_account(client)
    owner = await create_user(client)
    contact = await create_contact(client, accountId=account["id"], ownerId=owner["id"])
    data = await gql(
        client, UPDATE, input={"id": contact["id"], "accountId": None, "ownerId": None}
    )
    updated = ok(data["contactUpdate"])
    assert updated["account"] is None
    assert updated["owner"] is None
    assert (await gql(client, ACCOUNT_CONTACTS, id=account["id"]))["node"]["contacts"][
        "totalCount"
    ] == 0


async def test_update_can_move_the_contact_to_another_account(client):
    first = await create_account(client, name="First")
    second = await create_account(client, name="Second")
    contact = await create_contact(client, accountId=first["id"])
    updated = ok(
        (await gql(client, UPDATE, input={"id": contact["id"], "accountId": second["id"]}))[
            "contactUpdate"
        ]
    )
    assert updated["account"] == second


async def test_update_validates_references(client):
    contact = await create_contact(client)
    other = await create_contact(client, lastName="Other")
    data = await gql(client, UPDATE, input={"id": contact["id"], "accountId": other["id"]})
    refused(data["contactUpdate"], "NOT_FOUND", ["accountId"])
    data = await gql(client, UPDATE, input={"id": contact["id"], "ownerId": other["id"]})
    refused(data["contactUpdate"], "NOT_FOUND", ["ownerId"])
    assert (await read(client, contact["id"]))["version"] == 1


async def test_last_name_cannot_be_cleared_or_blanked(client):
    contact = await create_contact(client)
    for value in (None, "   "):
        data = await gql(client, UPDATE, input={"id": contact["id"], "lastName": value})
        refused(data["contactUpdate"], "REQUIRED", ["lastName"])
    assert (await read(client, contact["id"]))["lastName"] == "Lovelace"


async def test_invalid_update_changes_nothing(client):
    contact = await create_contact(client, email="ada@example.com")
    data = await gql(
        client, UPDATE, input={"id": contact["id"], "jobTitle": "Boss", "email": "broken"}
    )
    refused(data["contactUpdate"], "INVALID", ["email"])
    assert await read(client, contact["id"]) == contact


async def test_lifecycle_stage_is_not_writable_through_update(client):
    contact = await create_contact(client)
    body = await execute(client, UPDATE, input={"id": contact["id"], "lifecycleStage": "ADVOCACY"})
    assert body["errors"]
    assert "lifecycleStage" in body["errors"][0]["message"]
    assert (await read(client, contact["id"]))["lifecycleStage"] == "REACH"


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    contact = await create_contact(client)
    first = ok(
        (await gql(client, UPDATE, input={"id": contact["id"], "jobTitle": "First"}))[
            "contactUpdate"
        ]
    )
    data = await gql(
        client, UPDATE, input={"id": contact["id"], "expectedVersion": 1, "jobTitle": "Second"}
    )
    refused(data["contactUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    assert await read(client, contact["id"]) == first
    assert first["version"] == 2


async def test_concurrent_updates_from_one_version_let_exactly_one_win(client):
    contact = await create_contact(client)
    titles = ["First", "Second", "Third"]
    results = await asyncio.gather(*(
        gql(client, UPDATE, input={"id": contact["id"], "expectedVersion": 1, "jobTitle": title})
        for title in titles
    ))
    payloads = [result["contactUpdate"] for result in results]
    winners = [payload["contact"] for payload in payloads if payload["contact"] is not None]
    assert len(winners) == 1
    assert [error["code"] for payload in payloads for error in payload["userErrors"]] == ["VERSION_CONFLICT"] * 2
    stored = await read(client, contact["id"])
    assert stored == winners[0]
    assert stored["version"] == 2


async def test_unknown_or_wrong_type_ids_are_not_found(client):
    account = await create_account(client)
    for bad_id in ("nonsense", account["id"], global_ids.encode("Contact", 999_999_999)):
        data = await gql(client, UPDATE, input={"id": bad_id, "jobTitle": "X"})
        refused(data["contactUpdate"], "NOT_FOUND", ["id"])
        data = await gql(client, ARCHIVE, input={"id": bad_id})
        refused(data["contactArchive"], "NOT_FOUND", ["id"])


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_contact(client, lastName="Kept")
    gone = await create_contact(client, lastName="Gone")
    archived = ok(
        (await gql(client, ARCHIVE, input={"id": gone["id"], "expectedVersion": 1}))[
            "contactArchive"
        ]
    )
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    assert (await gql(client, LIST))["contacts"]["nodes"] == [
        {"id": kept["id"], "lastName": "Kept"}
    ]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["contacts"]["nodes"] == [{"id": gone["id"], "lastName": "Gone"}]
    everything = await gql(client, LIST, filter={"archived": "ALL"})
    assert everything["contacts"]["totalCount"] == 2
    assert (await gql(client, LIST, filter={"archived": "ACTIVE"}))["contacts"]["totalCount"] == 1
    assert (await read(client, gone["id"]))["archivedAt"] == archived["archivedAt"]

    restored = ok((await gql(client, RESTORE, input={"id": gone["id"]}))["contactRestore"])
    assert restored["archivedAt"] is None
    assert restored["version"] == 3
    assert (await gql(client, LIST))["contacts"]["totalCount"] == 2


async def test_updating_an_archived_contact_is_refused(client):
    contact = await create_contact(client)
    ok((await gql(client, ARCHIVE, input={"id": contact["id"]}))["contactArchive"])
    data = await gql(client, UPDATE, input={"id": contact["id"], "jobTitle": "Changed"})
    refused(data["contactUpdate"], "ARCHIVED", ["id"])
    assert (await read(client, contact["id"]))["jobTitle"] is None


async def test_archiving_twice_changes_nothing(client):
    contact = await create_contact(client)
    first = ok((await gql(client, ARCHIVE, input={"id": contact["id"]}))["contactArchive"])
    second = ok((await gql(client, ARCHIVE, input={"id": contact["id"]}))["contactArchive"])
    assert second == first


async def test_archive_and_restore_with_stale_version_change_nothing(client):
    contact = await create_contact(client)
    data = await gql(client, ARCHIVE, input={"id": contact["id"], "expectedVersion": 7})
    refused(data["contactArchive"], "VERSION_CONFLICT", ["expectedVersion"])
    assert (await read(client, contact["id"]))["archivedAt"] is None
    ok((await gql(client, ARCHIVE, input={"id": contact["id"]}))["contactArchive"])
    data = await gql(client, RESTORE, input={"id": contact["id"], "expectedVersion": 1})
    refused(data["contactRestore"], "VERSION_CONFLICT", ["expectedVersion"])
    assert (await read(client, contact["id"]))["archivedAt"] is not None


async def test_account_contacts_lists_the_people_at_the_account(client):
    account = await create_account(client)
    elsewhere = await create_account(client, name="Elsewhere")
    ada = await create_contact(client, firstName="Ada", accountId=account["id"])
    grace = await create_contact(
        client, firstName="Grace", lastName="Hopper", accountId=account["id"]
    )
    await create_contact(client, firstName="Alan", lastName="Turing", accountId=elsewhere["id"])
    await create_contact(client, lastName="Nobody")
    data = await gql(client, ACCOUNT_CONTACTS, id=account["id"])
    assert data["node"]["contacts"] == {
        "totalCount": 2,
        "nodes": [
            {"id": ada["id"], "name": "Ada Lovelace"},
            {"id": grace["id"], "name": "Grace Hopper"},
        ],
    }


async def test_account_contacts_hides_archived_unless_asked(client):
    account = await create_account(client)
    kept = await create_contact(client, lastName="Kept", accountId=account["id"])
    gone = await create_contact(client, lastName="Gone", accountId=account["id"])
    ok((await gql(client, ARCHIVE, input={"id": gone["id"]}))["contactArchive"])
    active = await gql(client, ACCOUNT_CONTACTS, id=account["id"])
    assert active["node"]["contacts"] == {
        "totalCount": 1,
        "nodes": [{"id": kept["id"], "name": "Kept"}],
    }
    archived = await gql(
        client, ACCOUNT_CONTACTS, id=account["id"], filter={"archived": "ARCHIVED"}
    )
    assert archived["node"]["contacts"] == {
        "totalCount": 1,
        "nodes": [{"id": gone["id"], "name": "Gone"}],
    }
    everything = await gql(client, ACCOUNT_CONTACTS, id=account["id"], filter={"archived": "ALL"})
    assert everything["node"]["contacts"]["totalCount"] == 2


async def test_referred_leads_lists_the_leads_this_contact_referred(client):
    advocate = await create_contact(client, lastName="Advocate")
    bystander = await create_contact(client, lastName="Bystander")
    first = ok(
        (
            await gql(
                client, CREATE_LEAD, input={"lastName": "First", "referredById": advocate["id"]}
            )
        )["leadCreate"]
    )
    second = ok(
        (
            await gql(
                client, CREATE_LEAD, input={"lastName": "Second", "referredById": advocate["id"]}
            )
        )["leadCreate"]
    )
    ok((await gql(client, CREATE_LEAD, input={"lastName": "Unreferred"}))["leadCreate"])
    data = await gql(client, REFERRED_LEADS, id=advocate["id"])
    assert data["node"]["referredLeads"] == {"totalCount": 2, "nodes": [first, second]}
    ok((await gql(client, ARCHIVE_LEAD, input={"id": first["id"]}))["leadArchive"])
    data = await gql(client, REFERRED_LEADS, id=advocate["id"])
    assert data["node"]["referredLeads"] == {"totalCount": 1, "nodes": [second]}
    data = await gql(client, REFERRED_LEADS, id=advocate["id"], filter={"archived": "ARCHIVED"})
    assert data["node"]["referredLeads"] == {"totalCount": 1, "nodes": [first]}
    data = await gql(client, REFERRED_LEADS, id=bystander["id"])
    assert data["node"]["referredLeads"] == {"totalCount": 0, "nodes": []}


async def test_a_contact_is_invisible_to_another_workspace(client, other_client):
    contact = await create_contact(client)
    await create_contact(other_client, lastName="Theirs")
    assert (await gql(other_client, NODE, id=contact["id"]))["node"] is None
    theirs = await gql(other_client, LIST, filter={"archived": "ALL"})
    assert [node["lastName"] for node in theirs["contacts"]["nodes"]] == ["Theirs"]
    ours = await gql(client, LIST, filter={"archived": "ALL"})
    assert ours["contacts"]["nodes"] == [{"id": contact["id"], "lastName": "Lovelace"}]


async def test_another_workspace_cannot_change_or_archive_the_contact(client, other_client):
    contact = await create_contact(client)
    data = await gql(other_client, UPDATE, input={"id": contact["id"], "jobTitle": "Hijacked"})
    refused(data["contactUpdate"], "NOT_FOUND", ["id"])
    data = await gql(other_client, ARCHIVE, input={"id": contact["id"]})
    refused(data["contactArchive"], "NOT_FOUND", ["id"])
    assert await read(client, contact["id"]) == contact


