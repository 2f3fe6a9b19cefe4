"""Users over GraphQL: create, email normalisation and uniqueness per workspace, update, archive."""

from __future__ import annotations

import asyncio

import pytest

from resolvers import global_ids
from tests.helpers import gql, ok, refused

USER_FIELDS = "id name email role version createdAt updatedAt archivedAt"

CREATE = f"""
mutation Create($input: UserCreateInput!) {{
  userCreate(input: $input) {{ user {{ {USER_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
UPDATE = f"""
mutation Update($input: UserUpdateInput!) {{
  userUpdate(input: $input) {{ user {{ {USER_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
ARCHIVE = """
mutation Archive($input: UserArchiveInput!) {
  userArchive(input: $input) { user { id archivedAt version } userErrors { field message code } }
}
"""
RESTORE = """
mutation Restore($input: UserRestoreInput!) {
  userRestore(input: $input) { user { id archivedAt version } userErrors { field message code } }
}
"""
LIST = """
query List($filter: UserFilter) {
  users(filter: $filter) { totalCount nodes { id email } }
}
"""
NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ id ... on User {{ {USER_FIELDS} }} }} }}
"""
CREATE_CONTACT = """
mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) { contact { id owner { id name } } userErrors { field message code } }
}
"""




async def create_user(client, **fields):
    data = await gql(
        client, CREATE, input={"name": "Ada Lovelace", "email": "ada@example.com", **fields}
    )
    return ok(data["userCreate"])


async def read(client, user_id):
    return (await gql(client, NODE, id=user_id))["node"]


async def test_create_returns_every_field(client):
    user = await create_user(
        client, name="  Ada Lovelace ", email=" Ada@Example.com ", role="MANAGER"
    )
    assert user["name"] == "Ada Lovelace"
    assert user["email"] == "ada@example.com"
    assert user["role"] == "MANAGER"
    assert user["version"] == 1
    assert user["archivedAt"] is None
    assert user["createdAt"].endswith("+00:00")
    assert await read(client, user["id"]) == user


async def test_role_defaults_to_sales(client):
    user = await create_user(client)
    assert user["role"] == "SALES"


async def test_email_is_stored_lower_case(client):
    user = await create_user(client, email="Grace.HOPPER@Navy.Example.ORG")
    assert user["email"] == "grace.hopper@navy.example.org"
    assert (await gql(client, LIST))["users"]["nodes"] == [
        {"id": user["id"], "email": user["email"]}
    ]


async def test_invalid_fields_are_all_reported_and_nothing_is_written(client):
    data = await gql(client, CREATE, input={"name": " ", "email": "not-an-email"})
    assert data["userCreate"]["user"] is None
    errors = data["userCreate"]["userErrors"]
    assert {tuple(error["field"]): error["code"] for error in errors} == {
        ("name",): "REQUIRED",
        ("email",): "INVALID",
    }
    assert all(error["message"] for error in errors)
    assert (await gql(client, LIST))["users"]["totalCount"] == 0


async def test_blank_email_is_required(client):
    data = await gql(client, CREATE, input={"name": "Ada", "email": "   "})
    refused(data["userCreate"], "REQUIRED", ["email"])


@pytest.mark.parametrize(
    "email", ["ada", "ada@", "@example.com", "ada@example..com", "ada lovelace@example.com"]
)
async def test_bad_email_is_invalid(client, email):
    data = await gql(client, CREATE, input={"name": "Ada", "email": email})
    refused(data["userCreate"], "INVALID", ["email"])


async def test_name_length_is_limited(client):
    assert len((await create_user(client, name="n" * 200))["name"]) == 200
    data = await gql(client, CREATE, input={"name": "n" * 201, "email": "long@example.com"})
    error = refused(data["userCreate"], "INVALID", ["name"])
    assert "200" in error["message"]


async def test_same_email_in_other_case_is_a_duplicate(client):
    await create_user(client, email="ada@example.com")
    data = await gql(client, CREATE, input={"name": "Impostor", "email": "Ada@Example.com"})
    refused(data["userCreate"], "DUPLICATE", ["email"])
    assert (await gql(client, LIST, filter={"archived": "ALL"}))["users"]["totalCount"] == 1


async def test_duplicate_check_applies_whatever_case_came_first(client):
    await create_user(client, email="Ada@Example.com")
    data = await gql(client, CREATE, input={"name": "Impostor", "email": "ada@example.com"})
    refused(data["userCreate"], "DUPLICATE", ["email"])


async def test_an_archived_users_email_stays_taken(client):
    user = await create_user(client)
    ok((await gql(client, ARCHIVE, input={"id": user["id"]}))["userArchive"])
    data = await gql(client, CREATE, input={"name": "Successor", "email": "ADA@example.com"})
    refused(data["userCreate"], "DUPLICATE", ["email"])


async def test_another_workspace_may_reuse_the_email(client, other_client):
    ours = await create_user(client, email="ada@example.com")
    theirs = await create_user(other_client, email="Ada@Example.com")
    assert theirs["email"] == "ada@example.com"
    assert theirs["id"] != ours["id"]
    assert (await gql(client, LIST))["users"]["nodes"] == [
        {"id": ours["id"], "email": "ada@example.com"}
    ]
    assert (await gql(other_client, LIST))["users"]["nodes"] == [
        {"id": theirs["id"], "email": "ada@example.com"}
    ]


async def test_concurrent_creates_with_one_email_leave_exactly_one_user(client):
    emails = ["race@example.com", "Race@Example.com", "RACE@example.com", "race@EXAMPLE.com"]
    results = await asyncio.gather(*(
        gql(client, CREATE, input={"name": f"U{i}", "email": email}) for i, email in enumerate(emails)
    ))
    payloads = [result["userCreate"] for result in results]
    created = [payload["user"] for payload in payloads if payload["user"] is not None]
    assert len(created) == 1
    assert sorted(error["code"] for payload in payloads for error in payload["userErrors"]) == ["DUPLICATE"] * 3
    assert (await gql(client, LIST))["users"]["nodes"] == [{"id": created[0]["id"], "email": "race@example.com"}]


async def test_update_to_a_taken_email_is_a_duplicate_and_changes_nothing(client):
    await create_user(client, email="ada@example.com")
    grace = await create_user(client, name="Grace", email="grace@example.com")
    data = await gql(
        client, UPDATE, input={"id": grace["id"], "name": "Grace H.", "email": "ADA@example.COM"}
    )
    refused(data["userUpdate"], "DUPLICATE", ["email"])
    assert await read(client, grace["id"]) == grace


async def test_update_may_keep_or_recase_its_own_email(client):
    user = await create_user(client)
    data = await gql(
        client, UPDATE, input={"id": user["id"], "email": "ADA@EXAMPLE.COM", "name": "Countess"}
    )
    updated = ok(data["userUpdate"])
    assert updated["email"] == "ada@example.com"
    assert updated["name"] == "Countess"


async def test_update_changes_only_given_fields_and_bumps_version(client):
    user = await create_user(client, role="SUPPORT")
    data = await gql(
        client, UPDATE, input={"id": user["id"], "expectedVersion": 1, "role": "ADMIN"}
    )
    updated = ok(data["userUpdate"])
    assert updated["role"] == "ADMIN"
    assert updated["name"] == user["name"]
    assert updated["email"] == user["email"]
    assert updated["version"] == 2
    assert updated["updatedAt"] >= user["updatedAt"]
    assert await read(client, user["id"]) == updated


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", None), ("name", ""), ("email", None), ("email", " "), ("role", None)],
)
async def test_required_fields_cannot_be_cleared(client, field, value):
    user = await create_user(client)
    data = await gql(client, UPDATE, input={"id": user["id"], field: value})
    refused(data["userUpdate"], "REQUIRED", [field])
    assert await read(client, user["id"]) == user


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    user = await create_user(client)
    first = ok((await gql(client, UPDATE, input={"id": user["id"], "name": "First"}))["userUpdate"])
    data = await gql(
        client, UPDATE, input={"id": user["id"], "expectedVersion": 1, "name": "Second"}
    )
    refused(data["userUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    assert await read(client, user["id"]) == first


async def test_unknown_or_wrong_type_ids_are_not_found(client):
    contact = ok((await gql(client, CREATE_CONTACT, input={"lastName": "L"}))["contactCreate"])
    for bad_id in ("nonsense", contact["id"], global_ids.encode("User", 999_999_999)):
        data = await gql(client, UPDATE, input={"id": bad_id, "name": "X"})
        refused(data["userUpdate"], "NOT_FOUND", ["id"])


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_user(client, email="kept@example.com")
    gone = await create_user(client, email="gone@example.com")
    archived = ok((await gql(client, ARCHIVE, input={"id": gone["id"]}))["userArchive"])
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    assert (await gql(client, LIST))["users"]["nodes"] == [
        {"id": kept["id"], "email": "kept@example.com"}
    ]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["users"]["nodes"] == [{"id": gone["id"], "email": "gone@example.com"}]
    assert (await gql(client, LIST, filter={"archived": "ALL"}))["users"]["totalCount"] == 2

    data = await gql(client, UPDATE, input={"id": gone["id"], "name": "Changed"})
    refused(data["userUpdate"], "ARCHIVED", ["id"])

    restored = ok((await gql(client, RESTORE, input={"id": gone["id"]}))["userRestore"])
    assert restored["archivedAt"] is None
    assert restored["version"] == 3
    assert (await gql(client, LIST))["users"]["totalCount"] == 2


async def test_an_archived_user_cannot_become_an_owner(client):
    user = await create_user(client)
    ok((await gql(client, ARCHIVE, input={"id": user["id"]}))["userArchive"])
    data = await gql(client, CREATE_CONTACT, input={"lastName": "L", "ownerId": user["id"]})
    refused(data["contactCreate"], "NOT_FOUND", ["ownerId"])


async def test_another_workspaces_user_cannot_become_an_owner(client, other_client):
    foreign = await create_user(other_client)
    data = await gql(client, CREATE_CONTACT, input={"lastName": "L", "ownerId": foreign["id"]})
    refused(data["contactCreate"], "NOT_FOUND", ["ownerId"])


async def test_a_user_is_invisible_to_another_workspace(client, other_client):
    user = await create_user(client)
    assert (await gql(other_client, NODE, id=user["id"]))["node"] is None
    assert (await gql(other_client, LIST, filter={"archived": "ALL"}))["users"]["totalCount"] == 0
    data = await gql(other_client, UPDATE, input={"id": user["id"], "name": "Hijacked"})
    refused(data["userUpdate"], "NOT_FOUND", ["id"])
    data = await gql(other_client, ARCHIVE, input={"id": user["id"]})
    refused(data["userArchive"], "NOT_FOUND", ["id"])
    assert await read(client, user["id"]) == user
