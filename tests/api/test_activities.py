"""Activities over GraphQL: types, timestamps, tasks, links, timelines, versions, isolation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers import execute, gql, ok, refused

ACTIVITY_FIELDS = """
    id type subject body occurredAt dueAt completed version createdAt updatedAt archivedAt
    owner { id name } account { id name } contact { id name } lead { id name }
    opportunity { id name } case { id subject }
"""
USER_ERRORS = "userErrors { field message code }"

CREATE = f"""
mutation Create($input: ActivityCreateInput!) {{
  activityCreate(input: $input) {{ activity {{ {ACTIVITY_FIELDS} }} {USER_ERRORS} }}
}}
"""
UPDATE = f"""
mutation Update($input: ActivityUpdateInput!) {{
  activityUpdate(input: $input) {{ activity {{ {ACTIVITY_FIELDS} }} {USER_ERRORS} }}
}}
"""
ARCHIVE = f"""
mutation Archive($input: ActivityArchiveInput!) {{
  activityArchive(input: $input) {{ activity {{ id archivedAt version }} {USER_ERRORS} }}
}}
"""
RESTORE = f"""
mutation Restore($input: ActivityRestoreInput!) {{
  activityRestore(input: $input) {{ activity {{ id archivedAt version }} {USER_ERRORS} }}
}}
"""
LIST = """
query List($filter: ActivityFilter) {
  activities(filter: $filter) { totalCount nodes { id subject } }
}
"""
NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ id ... on Activity {{ {ACTIVITY_FIELDS} }} }} }}
"""
TIMELINE_SELECTION = "activities(filter: $filter) { totalCount nodes { id subject } }"
TIMELINE = f"""
query Timeline($id: ID!, $filter: ActivityFilter) {{
  node(id: $id) {{
    ... on Account {{ {TIMELINE_SELECTION} }}
    ... on Contact {{ {TIMELINE_SELECTION} }}
    ... on Lead {{ {TIMELINE_SELECTION} }}
    ... on Opportunity {{ {TIMELINE_SELECTION} }}
    ... on Case {{ {TIMELINE_SELECTION} }}
  }}
}}
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
CREATE_LEAD = f"""
mutation($input: LeadCreateInput!) {{ leadCreate(input: $input) {{ lead {{ id name }} {USER_ERRORS} }} }}
"""
CREATE_OPPORTUNITY = f"""
mutation($input: OpportunityCreateInput!) {{
  opportunityCreate(input: $input) {{ opportunity {{ id name }} {USER_ERRORS} }}
}}
"""
CREATE_CASE = f"""
mutation($input: CaseCreateInput!) {{ caseCreate(input: $input) {{ case {{ id subject }} {USER_ERRORS} }} }}
"""

ACTIVITY_TYPES = ("CALL", "EMAIL", "MEETING", "NOTE", "TASK", "VIDEO_CALL")




@pytest.fixture
async def linked(client) -> dict[str, dict[str, Any]]:
    """One record of each type an activity can link to, consistent with each other."""
    account = ok((await gql(client, CREATE_ACCOUNT, input={"name": "Acme"}))["accountCreate"])
    contact = ok((await gql(client, CREATE_CONTACT, input={
        "lastName": "Doe", "accountId": account["id"],
    }))["contactCreate"])
    lead = ok((await gql(client, CREATE_LEAD, input={"lastName": "Lee"}))["leadCreate"])
    opportunity = ok((await gql(client, CREATE_OPPORTUNITY, input={
        "name": "Deal", "accountId": account["id"],
    }))["opportunityCreate"])
    case = ok((await gql(client, CREATE_CASE, input={
        "subject": "Broken", "accountId": account["id"],
    }))["caseCreate"])
    return {"account": account, "contact": contact, "lead": lead, "opportunity": opportunity, "case": case}


def instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


async def create_activity(client, **fields):
    data = await gql(client, CREATE, input={"type": "CALL", "subject": "Intro call", **fields})
    return ok(data["activityCreate"])


async def activity_count(client, archived="ALL"):
    return (await gql(client, LIST, filter={"archived": archived}))["activities"]["totalCount"]


async def timeline(client, record_id, archived="ACTIVE"):
    data = await gql(client, TIMELINE, id=record_id, filter={"archived": archived})
    return data["node"]["activities"]


async def test_create_with_every_field_and_link(client, linked):
    owner = ok((await gql(client, CREATE_USER, input={"name": "Ada", "email": "ada@example.com"}))["userCreate"])
    activity = await create_activity(
        client,
        type="MEETING",
        subject="Kick-off",
        body="Agenda: scope, timeline.",
        occurredAt="2026-03-01T09:30:00+00:00",
        completed=True,
        accountId=linked["account"]["id"],
        contactId=linked["contact"]["id"],
        leadId=linked["lead"]["id"],
        opportunityId=linked["opportunity"]["id"],
        caseId=linked["case"]["id"],
        ownerId=owner["id"],
    )
    assert activity["type"] == "MEETING"
    assert activity["subject"] == "Kick-off"
    assert activity["body"] == "Agenda: scope, timeline."
    assert activity["occurredAt"] == "2026-03-01T09:30:00+00:00"
    assert activity["dueAt"] is None
    assert activity["completed"] is True
    for link in ("account", "contact", "lead", "opportunity", "case"):
        assert activity[link] == linked[link]
    assert activity["owner"] == owner
    assert activity["version"] == 1
    assert activity["archivedAt"] is None

    read = (await gql(client, NODE, id=activity["id"]))["node"]
    assert read == activity


async def test_every_type_is_accepted_and_non_tasks_happen_now(client):
    for activity_type in ACTIVITY_TYPES:
        before = datetime.now(UTC)
        activity = await create_activity(client, type=activity_type, subject=activity_type)
        after = datetime.now(UTC)
        assert activity["type"] == activity_type
        assert activity["completed"] is False
        assert activity["dueAt"] is None
        if activity_type == "TASK":
            assert activity["occurredAt"] is None
        else:
            assert before <= instant(activity["occurredAt"]) <= after
        read = (await gql(client, NODE, id=activity["id"]))["node"]
        assert (read["type"], read["occurredAt"]) == (activity_type, activity["occurredAt"])
    assert await activity_count(client) == len(ACTIVITY_TYPES)


async def test_a_scheduled_activity_has_no_occurrence_until_it_happens(client):
    call = await create_activity(client, type="CALL", dueAt="2026-04-01T15:00:00+00:00")
    assert call["occurredAt"] is None
    assert call["dueAt"] == "2026-04-01T15:00:00+00:00"


async def test_task_with_due_date_is_completed_by_update(client):
    task = await create_activity(client, type="TASK", subject="Send proposal", dueAt="2026-04-01T17:00:00Z")
    assert task["occurredAt"] is None
    assert instant(task["dueAt"]) == datetime(2026, 4, 1, 17, 0, tzinfo=UTC)
    assert task["completed"] is False

    data = await gql(client, UPDATE, input={"id": task["id"], "expectedVersion": 1, "completed": True})
    done = ok(data["activityUpdate"])
    assert done["completed"] is True
    assert done["version"] == 2
    assert done["dueAt"] == task["dueAt"]
    assert done["subject"] == "Send proposal"
    assert (await gql(client, NODE, id=task["id"]))["node"]["completed"] is True

    data = await gql(client, UPDATE, input={"id": task["id"], "completed": None})
    refused(data["activityUpdate"], "REQUIRED", ["completed"])


async def test_timestamps_with_an_offset_are_the_same_instant_in_utc(client):
    activity = await create_activity(client, occurredAt="2026-03-01T09:30:00+02:00")
    read = (await gql(client, NODE, id=activity["id"]))["node"]
    assert read["occurredAt"] == "2026-03-01T07:30:00+00:00"
    # The payload of the write and every later read agree on the representation (UTC).
    assert activity["occurredAt"] == "2026-03-01T07:30:00+00:00"


async def test_naive_timestamps_are_refused_with_a_clear_error(client):
    data = await gql(client, CREATE, input={
        "type": "CALL", "subject": "Call", "occurredAt": "2026-03-01T09:30:00",
    })
    error = refused(data["activityCreate"], "INVALID", ["occurredAt"])
    assert "offset" in error["message"]
    assert data["activityCreate"]["activity"] is None
    data = await gql(client, CREATE, input={
        "type": "TASK", "subject": "Task", "dueAt": "2026-03-01T09:30:00",
    })
    refused(data["activityCreate"], "INVALID", ["dueAt"])
    assert await activity_count(client) == 0

    task = await create_activity(client, type="TASK", dueAt="2026-03-01T09:30:00Z")
    data = await gql(client, UPDATE, input={"id": task["id"], "dueAt": "2026-03-02T09:30:00"})
    refused(data["activityUpdate"], "INVALID", ["dueAt"])
    assert (await gql(client, NODE, id=task["id"]))["node"]["dueAt"] == "2026-03-01T09:30:00+00:00"


async def test_subject_is_required_and_type_must_be_known(client):
    data = await gql(client, CREATE, input={"type": "NOTE", "subject": " "})
    refused(data["activityCreate"], "REQUIRED", ["subject"])
    body = await execute(client, CREATE, input={"type": "FAX", "subject": "S"})
    assert body["errors"]
    assert "FAX" in body["errors"][0]["message"]
    assert await activity_count(client) == 0


async def test_each_record_timeline_lists_exactly_its_activities(client, linked):
    acme = linked["account"]
    globex = ok((await gql(client, CREATE_ACCOUNT, input={"name": "Globex"}))["accountCreate"])
    on_account = await create_activity(client, subject="Account call", accountId=acme["id"])
    on_contact = await create_activity(client, subject="Contact email", type="EMAIL", contactId=linked["contact"]["id"])
    on_lead = await create_activity(client, subject="Lead note", type="NOTE", leadId=linked["lead"]["id"])
    on_opportunity = await create_activity(
        client, subject="Deal meeting", type="MEETING", opportunityId=linked["opportunity"]["id"],
    )
    on_case = await create_activity(client, subject="Case task", type="TASK", caseId=linked["case"]["id"])
    on_both = await create_activity(
        client, subject="Account and deal", accountId=acme["id"], opportunityId=linked["opportunity"]["id"],
    )
    await create_activity(client, subject="Other account", accountId=globex["id"])
    await create_activity(client, subject="Unlinked")

    def entries(*activities):
        return {
            "totalCount": len(activities),
            "nodes": [{"id": a["id"], "subject": a["subject"]} for a in activities],
        }

    assert await timeline(client, acme["id"]) == entries(on_account, on_both)
    assert await timeline(client, linked["contact"]["id"]) == entries(on_contact)
    assert await timeline(client, linked["lead"]["id"]) == entries(on_lead)
    assert await timeline(client, linked["opportunity"]["id"]) == entries(on_opportunity, on_both)
    assert await timeline(client, linked["case"]["id"]) == entries(on_case)


async def test_archived_activities_leave_the_timeline(client, linked):
    account_id = linked["account"]["id"]
    kept = await create_activity(client, subject="Kept", accountId=account_id)
    gone = await create_activity(client, subject="Gone", accountId=account_id)
    ok((await gql(client, ARCHIVE, input={"id": gone["id"]}))["activityArchive"])
    assert await timeline(client, account_id) == {
        "totalCount": 1, "nodes": [{"id": kept["id"], "subject": "Kept"}],
    }
    assert await timeline(client, account_id, "ARCHIVED") == {
        "totalCount": 1, "nodes": [{"id": gone["id"], "subject": "Gone"}],
    }
    assert (await timeline(client, account_id, "ALL"))["totalCount"] == 2


async def test_links_can_be_moved_and_cleared(client, linked):
    activity = await create_activity(client, accountId=linked["account"]["id"])
    data = await gql(client, UPDATE, input={
        "id": activity["id"], "accountId": None, "leadId": linked["lead"]["id"],
    })
    moved = ok(data["activityUpdate"])
    assert moved["account"] is None
    assert moved["lead"] == linked["lead"]
    assert (await timeline(client, linked["account"]["id"]))["totalCount"] == 0
    assert (await timeline(client, linked["lead"]["id"]))["nodes"] == [{"id": activity["id"], "subject": "Intro call"}]


async def test_update_changes_only_given_fields_and_bumps_version(client):
    activity = await create_activity(client, body="Notes", occurredAt="2026-03-01T09:30:00Z")
    data = await gql(client, UPDATE, input={
        "id": activity["id"], "expectedVersion": 1, "subject": "Follow-up call", "body": None,
    })
    updated = ok(data["activityUpdate"])
    assert updated["subject"] == "Follow-up call"
    assert updated["body"] is None
    assert updated["type"] == "CALL"
    assert instant(updated["occurredAt"]) == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert updated["version"] == 2
    assert updated["updatedAt"] >= activity["updatedAt"]


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    activity = await create_activity(client)
    ok((await gql(client, UPDATE, input={"id": activity["id"], "subject": "First"}))["activityUpdate"])
    data = await gql(client, UPDATE, input={
        "id": activity["id"], "expectedVersion": 1, "subject": "Second", "completed": True,
    })
    refused(data["activityUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    assert data["activityUpdate"]["activity"] is None
    node = (await gql(client, NODE, id=activity["id"]))["node"]
    assert (node["subject"], node["completed"], node["version"]) == ("First", False, 2)


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_activity(client, subject="Kept")
    gone = await create_activity(client, subject="Gone")
    archived = ok((await gql(client, ARCHIVE, input={"id": gone["id"], "expectedVersion": 1}))["activityArchive"])
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    assert (await gql(client, LIST))["activities"]["nodes"] == [{"id": kept["id"], "subject": "Kept"}]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["activities"]["nodes"] == [{"id": gone["id"], "subject": "Gone"}]
    assert await activity_count(client, "ALL") == 2

    data = await gql(client, UPDATE, input={"id": gone["id"], "completed": True})
    refused(data["activityUpdate"], "ARCHIVED", ["id"])

    restored = ok((await gql(client, RESTORE, input={"id": gone["id"]}))["activityRestore"])
    assert restored["archivedAt"] is None
    assert (await gql(client, LIST))["activities"]["totalCount"] == 2


async def test_archive_with_stale_version_changes_nothing(client):
    activity = await create_activity(client)
    data = await gql(client, ARCHIVE, input={"id": activity["id"], "expectedVersion": 4})
    refused(data["activityArchive"], "VERSION_CONFLICT")
    assert await activity_count(client, "ACTIVE") == 1


async def test_unknown_or_wrong_type_ids_are_not_found(client, linked):
    account_id = linked["account"]["id"]
    for bad_id in ("nonsense", account_id):
        data = await gql(client, UPDATE, input={"id": bad_id, "subject": "X"})
        refused(data["activityUpdate"], "NOT_FOUND", ["id"])
        data = await gql(client, ARCHIVE, input={"id": bad_id})
        refused(data["activityArchive"], "NOT_FOUND", ["id"])
    for field in ("contactId", "leadId", "opportunityId", "caseId", "ownerId"):
        data = await gql(client, CREATE, input={"type": "NOTE", "subject": "S", field: account_id})
        refused(data["activityCreate"], "NOT_FOUND", [field])
    data = await gql(client, CREATE, input={"type": "NOTE", "subject": "S", "accountId": linked["case"]["id"]})
    refused(data["activityCreate"], "NOT_FOUND", ["accountId"])
    assert await activity_count(client) == 0


async def test_workspaces_do_not_see_each_others_activities(client, other_client, linked):
    activity = await create_activity(client, subject="Mine", accountId=linked["account"]["id"])
    await create_activity(other_client, subject="Theirs")
    theirs = (await gql(other_client, LIST, filter={"archived": "ALL"}))["activities"]
    assert [node["subject"] for node in theirs["nodes"]] == ["Theirs"]
    assert (await gql(other_client, NODE, id=activity["id"]))["node"] is None
    assert (await gql(other_client, TIMELINE, id=linked["account"]["id"]))["node"] is None
    mine = (await gql(client, LIST))["activities"]
    assert [node["subject"] for node in mine["nodes"]] == ["Mine"]


async def test_another_workspace_cannot_link_or_change_records(client, other_client, linked):
    activity = await create_activity(client)
    for link in ("account", "contact", "lead", "opportunity", "case"):
        field = f"{link}Id"
        data = await gql(other_client, CREATE, input={"type": "NOTE", "subject": "S", field: linked[link]["id"]})
        refused(data["activityCreate"], "NOT_FOUND", [field])
    data = await gql(other_client, UPDATE, input={"id": activity["id"], "subject": "Hijacked"})
    refused(data["activityUpdate"], "NOT_FOUND", ["id"])
    data = await gql(other_client, ARCHIVE, input={"id": activity["id"]})
    refused(data["activityArchive"], "NOT_FOUND", ["id"])

    node = (await gql(client, NODE, id=activity["id"]))["node"]
    assert (node["subject"], node["archivedAt"], node["version"]) == ("Intro call", None, 1)
    assert await activity_count(other_client) == 0
