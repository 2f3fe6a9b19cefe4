"""The lifecycle rules over GraphQL: every allowed and forbidden move of every entity, what a
move needs (a reason, a lost reason), what it derives (forecast, close and response times,
SLA targets), and what a refused move leaves behind: nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.helpers import execute, gql, ok, refused

USER_ERRORS = "userErrors { field message code }"
STAGE_CHANGE = "stageChange { fromStage toStage cause reason occurredAt }"

# entity -> (GraphQL type, stage field, minimal create input)
ENTITIES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "account": ("Account", "lifecycleStage", {"name": "Acme"}),
    "contact": ("Contact", "lifecycleStage", {"lastName": "Doe"}),
    "lead": ("Lead", "status", {"lastName": "Lovelace", "company": "Engines Ltd"}),
    "opportunity": ("Opportunity", "stage", {"name": "Big deal"}),
    "case": ("Case", "status", {"subject": "It is broken"}),
    "campaign": ("Campaign", "status", {"name": "Spring launch", "type": "EMAIL"}),
}
INITIAL = {
    "account": "REACH",
    "contact": "REACH",
    "lead": "OPEN",
    "opportunity": "PROSPECTING",
    "case": "NEW",
    "campaign": "PLANNED",
}


def _state(stage_field: str) -> str:
    return f"stage: {stage_field} version archivedAt stageHistory {{ totalCount }}"


CREATE = {
    entity: f"""
mutation($input: {type_name}CreateInput!) {{
  result: {entity}Create(input: $input) {{ record: {entity} {{ id {_state(field)} }} {USER_ERRORS} }}
}}
"""
    for entity, (type_name, field, _) in ENTITIES.items()
}
TRANSITION = {
    entity: f"""
mutation($input: {type_name}TransitionInput!) {{
  result: {entity}Transition(input: $input) {{
    record: {entity} {{ id {_state(field)} }} {STAGE_CHANGE} {USER_ERRORS}
  }}
}}
"""
    for entity, (type_name, field, _) in ENTITIES.items()
}
ARCHIVE = {
    entity: f"""
mutation($input: {type_name}ArchiveInput!) {{
  result: {entity}Archive(input: $input) {{ record: {entity} {{ id }} {USER_ERRORS} }}
}}
"""
    for entity, (type_name, _, _) in ENTITIES.items()
}
STATE = {
    entity: f"""
query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {_state(field)} }} }} }}
"""
    for entity, (type_name, field, _) in ENTITIES.items()
}
CONVERT = f"""
mutation($input: LeadConvertInput!) {{
  leadConvert(input: $input) {{ lead {{ id status }} {USER_ERRORS} }}
}}
"""
OPPORTUNITY = """
query($id: ID!) {
  node(id: $id) {
    ... on Opportunity { stage probability forecastCategory closedAt lostReason version }
  }
}
"""
OPPORTUNITY_TRANSITION = f"""
mutation($input: OpportunityTransitionInput!) {{
  opportunityTransition(input: $input) {{
    opportunity {{ stage probability forecastCategory closedAt lostReason }} {STAGE_CHANGE} {USER_ERRORS}
  }}
}}
"""
CASE_FIELDS = """
    id status priority createdAt firstRespondedAt resolvedAt firstResponseDueAt resolutionDueAt
    firstResponseBreached resolutionBreached version
"""
CREATE_CASE = f"""
mutation($input: CaseCreateInput!) {{ caseCreate(input: $input) {{ case {{ {CASE_FIELDS} }} {USER_ERRORS} }} }}
"""
UPDATE_CASE = f"""
mutation($input: CaseUpdateInput!) {{ caseUpdate(input: $input) {{ case {{ {CASE_FIELDS} }} {USER_ERRORS} }} }}
"""
CASE_TRANSITION = f"""
mutation($input: CaseTransitionInput!) {{
  caseTransition(input: $input) {{ case {{ {CASE_FIELDS} }} {STAGE_CHANGE} {USER_ERRORS} }}
}}
"""
CASE = f"""
query($id: ID!) {{ node(id: $id) {{ ... on Case {{ {CASE_FIELDS} }} }} }}
"""
SLA_POLICIES = """
query { slaPolicies { priority firstResponseMinutes resolutionMinutes isDefault } }
"""
SLA_POLICY_UPDATE = f"""
mutation($input: SlaPolicyUpdateInput!) {{
  slaPolicyUpdate(input: $input) {{
    slaPolicy {{ priority firstResponseMinutes resolutionMinutes isDefault }} {USER_ERRORS}
  }}
}}
"""
CREATE_ACTIVITY = f"""
mutation($input: ActivityCreateInput!) {{
  activityCreate(input: $input) {{ activity {{ id occurredAt }} {USER_ERRORS} }}
}}
"""

# The rules, one matrix per entity: rows are the current stage, columns the target.
# F = free, R = needs a reason, L = needs a lost reason, X = forbidden, . = the same stage.
CUSTOMER_MOVES = """
              REACH ACQUISITION CONVERSION RETENTION ADVOCACY CHURNED
REACH           .        F          F          F         F       X
ACQUISITION     R        .          F          F         F       X
CONVERSION      R        R          .          F         F       R
RETENTION       R        R          R          .         F       R
ADVOCACY        R        R          R          R         .       R
CHURNED         R        R          R          R         R       .
"""
MOVES = {
    "account": CUSTOMER_MOVES,
    "contact": CUSTOMER_MOVES,
    "lead": """
              OPEN CONTACTED QUALIFIED UNQUALIFIED CONVERTED
OPEN           .       F         F          F          X
CONTACTED      R       .         F          F          X
QUALIFIED      R       R         .          F          X
UNQUALIFIED    R       X         X          .          X
CONVERTED      X       X         X          X          .
""",
    "opportunity": """
              PROSPECTING QUALIFICATION PROPOSAL NEGOTIATION CLOSED_WON CLOSED_LOST
PROSPECTING        .            F          F          F          F          L
QUALIFICATION      R            .          F          F          F          L
PROPOSAL           R            R          .          F          F          L
NEGOTIATION        R            R          R          .          F          L
CLOSED_WON         R            R          R          R          .          X
CLOSED_LOST        R            R          R          R          X          .
""",
    "case": """
              NEW OPEN PENDING ESCALATED RESOLVED CLOSED
NEW            .    F     F        F         F       X
OPEN           X    .     F        F         F       X
PENDING        X    F     .        F         F       X
ESCALATED      X    F     F        .         F       X
RESOLVED       X    R     X        X         .       F
CLOSED         X    R     X        X         X       .
""",
    "campaign": """
              PLANNED ACTIVE COMPLETED CANCELLED
PLANNED          .      F        F         F
ACTIVE           X      .        F         F
COMPLETED        X      X        .         X
CANCELLED        X      X        X         .
""",
}


def _cells(entity: str) -> list[tuple[str, str, str]]:
    header, *rows = MOVES[entity].strip().splitlines()
    targets = header.split()
    return [
        (current, target, needs)
        for current, *marks in (row.split() for row in rows)
        for target, needs in zip(targets, marks, strict=True)
    ]


CELLS = [(entity, *cell) for entity in MOVES for cell in _cells(entity)]
MOVE_CASES = [pytest.param(*cell, id="-".join(cell[:3])) for cell in CELLS if cell[3] != "."]
SAME_STAGE_CASES = [
    pytest.param(*cell[:2], id="-".join(cell[:2])) for cell in CELLS if cell[3] == "."
]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


async def create(client: httpx.AsyncClient, entity: str, **fields: Any) -> dict[str, Any]:
    data = await gql(client, CREATE[entity], input={**ENTITIES[entity][2], **fields})
    return ok(data["result"])


async def transition(
    client: httpx.AsyncClient, entity: str, record_id: str, to: str, **fields: Any
) -> dict[str, Any]:
    data = await gql(client, TRANSITION[entity], input={"id": record_id, "to": to, **fields})
    return dict(data["result"])


def moved(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def state(client: httpx.AsyncClient, entity: str, record_id: str) -> dict[str, Any]:
    return dict((await gql(client, STATE[entity], id=record_id))["node"])


async def reach(client: httpx.AsyncClient, entity: str, stage: str) -> str:
    """A new record of `entity`, brought to `stage` by allowed moves."""
    record = await create(client, entity)
    if stage == INITIAL[entity]:
        return str(record["id"])
    if entity == "lead" and stage == "CONVERTED":
        ok((await gql(client, CONVERT, input={"leadId": record["id"]}))["leadConvert"])
        return str(record["id"])
    path = {"CHURNED": ["CONVERSION", "CHURNED"], "CLOSED": ["RESOLVED", "CLOSED"]}.get(
        stage, [stage]
    )
    extra = {"lostReason": "Too expensive"} if entity == "opportunity" else {}
    for step in path:
        moved(await transition(client, entity, record["id"], step, reason="Setup", **extra))
    return str(record["id"])






# --- The tables -----------------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "current", "target", "needs"), MOVE_CASES)
async def test_every_move_of_every_table(client, entity, current, target, needs):
    record_id = await reach(client, entity, current)
    before = await state(client, entity, record_id)
    assert before["stage"] == current
    lost = {"lostReason": "Went with a competitor"} if entity == "opportunity" else {}

    if needs == "X":
        # Forbidden whatever comes with it: a reason does not unlock a move the table lacks.
        payload = await transition(client, entity, record_id, target, reason="Please", **lost)
        error = refused(payload, "INVALID_TRANSITION", ["to"])
        assert error["message"]
        assert payload["record"] is None
        assert payload["stageChange"] is None
        assert await state(client, entity, record_id) == before
        return

    given: dict[str, Any] = {}
    if needs in ("R", "L"):
        field = "reason" if needs == "R" else "lostReason"
        for missing in ({}, {field: "   "}):
            payload = await transition(client, entity, record_id, target, **missing)
            refused(payload, "REQUIRED", [field])
            assert await state(client, entity, record_id) == before
        given = {field: "  Customer asked  "}

    payload = moved(await transition(client, entity, record_id, target, **given))
    assert payload["record"]["stage"] == target
    assert payload["record"]["version"] == before["version"] + 1
    change = payload["stageChange"]
    assert (change["fromStage"], change["toStage"], change["cause"]) == (current, target, "MANUAL")
    assert change["reason"] == ("Customer asked" if needs == "R" else None)
    after = await state(client, entity, record_id)
    assert after["stage"] == target
    assert after["stageHistory"]["totalCount"] == before["stageHistory"]["totalCount"] + 1


@pytest.mark.parametrize(("entity", "stage"), SAME_STAGE_CASES)
async def test_moving_to_the_current_stage_is_a_no_op(client, entity, stage):
    record_id = await reach(client, entity, stage)
    before = await state(client, entity, record_id)
    payload = moved(await transition(client, entity, record_id, stage, reason="Again"))
    assert payload["stageChange"] is None
    assert payload["record"]["stage"] == stage
    assert payload["record"]["version"] == before["version"]
    assert await state(client, entity, record_id) == before


async def test_forward_moves_may_skip_stages_without_a_reason(client):
    account = await create(client, "account")
    payload = moved(await transition(client, "account", account["id"], "ADVOCACY"))
    assert payload["stageChange"]["fromStage"] == "REACH"
    assert payload["stageChange"]["toStage"] == "ADVOCACY"
    assert (await state(client, "account", account["id"]))["stageHistory"]["totalCount"] == 2


async def test_lead_cannot_be_moved_to_converted_by_a_transition(client):
    lead = await create(client, "lead")
    payload = await transition(client, "lead", lead["id"], "CONVERTED", reason="Just do it")
    refused(payload, "INVALID_TRANSITION", ["to"])
    assert (await state(client, "lead", lead["id"]))["stage"] == "OPEN"


# --- Customers: churn -----------------------------------------------------------------------


@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize("stage", ["REACH", "ACQUISITION"])
async def test_only_customers_can_churn(client, entity, stage):
    record_id = await reach(client, entity, stage)
    payload = await transition(client, entity, record_id, "CHURNED", reason="Left us")
    refused(payload, "INVALID_TRANSITION", ["to"])
    assert (await state(client, entity, record_id))["stage"] == stage


@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize("stage", ["CONVERSION", "RETENTION", "ADVOCACY"])
async def test_a_customer_churns_only_with_a_reason(client, entity, stage):
    record_id = await reach(client, entity, stage)
    refused(await transition(client, entity, record_id, "CHURNED"), "REQUIRED", ["reason"])
    payload = moved(await transition(client, entity, record_id, "CHURNED", reason="Budget cut"))
    assert payload["record"]["stage"] == "CHURNED"
    assert payload["stageChange"]["reason"] == "Budget cut"


# --- Opportunities: forecast, closing, reopening ----------------------------------------------

FORECAST = {
    "PROSPECTING": (10, "PIPELINE"),
    "QUALIFICATION": (20, "PIPELINE"),
    "PROPOSAL": (50, "BEST_CASE"),
    "NEGOTIATION": (80, "COMMIT"),
    "CLOSED_WON": (100, "CLOSED"),
    "CLOSED_LOST": (0, "OMITTED"),
}


async def test_a_new_opportunity_is_prospecting_with_its_forecast(client):
    opportunity = await create(client, "opportunity")
    node = (await gql(client, OPPORTUNITY, id=opportunity["id"]))["node"]
    assert (node["stage"], node["probability"], node["forecastCategory"]) == (
        "PROSPECTING",
        10,
        "PIPELINE",
    )
    assert node["closedAt"] is None


@pytest.mark.parametrize(("stage", "forecast"), FORECAST.items())
async def test_each_opportunity_stage_sets_probability_and_forecast_category(
    client, stage, forecast
):
    opportunity = await create(client, "opportunity")
    moved(await transition(client, "opportunity", opportunity["id"], "QUALIFICATION"))
    started = now()
    payload = await gql(
        client,
        OPPORTUNITY_TRANSITION,
        input={"id": opportunity["id"], "to": stage, "reason": "Back", "lostReason": "Price"},
    )
    moved_to = moved(payload["opportunityTransition"])["opportunity"]
    assert (moved_to["probability"], moved_to["forecastCategory"]) == forecast
    closing = stage.startswith("CLOSED")
    if closing:
        assert at(moved_to["closedAt"]) >= started
        assert at(moved_to["closedAt"]) == at(
            payload["opportunityTransition"]["stageChange"]["occurredAt"]
        )
    else:
        assert moved_to["closedAt"] is None
    assert moved_to["lostReason"] == ("Price" if stage == "CLOSED_LOST" else None)


@pytest.mark.parametrize("closed", ["CLOSED_WON", "CLOSED_LOST"])
async def test_reopening_a_closed_opportunity_clears_closed_at_and_lost_reason(client, closed):
    opportunity_id = await reach(client, "opportunity", closed)
    node = (await gql(client, OPPORTUNITY, id=opportunity_id))["node"]
    assert node["closedAt"] is not None
    assert node["lostReason"] == ("Too expensive" if closed == "CLOSED_LOST" else None)

    payload = await gql(
        client,
        OPPORTUNITY_TRANSITION,
        input={"id": opportunity_id, "to": "PROPOSAL", "reason": "Budget came back"},
    )
    reopened = moved(payload["opportunityTransition"])
    assert reopened["opportunity"] == {
        "stage": "PROPOSAL",
        "probability": 50,
        "forecastCategory": "BEST_CASE",
        "closedAt": None,
        "lostReason": None,
    }
    assert reopened["stageChange"]["reason"] == "Budget came back"


@pytest.mark.parametrize(
    ("won", "lost"), [("CLOSED_WON", "CLOSED_LOST"), ("CLOSED_LOST", "CLOSED_WON")]
)
async def test_won_and_lost_never_switch_directly(client, won, lost):
    opportunity_id = await reach(client, "opportunity", won)
    before = (await gql(client, OPPORTUNITY, id=opportunity_id))["node"]
    payload = await gql(
        client,
        OPPORTUNITY_TRANSITION,
        input={"id": opportunity_id, "to": lost, "reason": "Oops", "lostReason": "Oops"},
    )
    refused(payload["opportunityTransition"], "INVALID_TRANSITION", ["to"])
    assert (await gql(client, OPPORTUNITY, id=opportunity_id))["node"] == before


async def test_closing_as_lost_without_a_lost_reason_is_refused_even_with_a_reason(client):
    opportunity = await create(client, "opportunity")
    payload = await transition(client, "opportunity", opportunity["id"], "CLOSED_LOST", reason="x")
    refused(payload, "REQUIRED", ["lostReason"])
    node = (await gql(client, OPPORTUNITY, id=opportunity["id"]))["node"]
    assert (node["stage"], node["closedAt"], node["version"]) == ("PROSPECTING", None, 1)


# --- Refusals that apply to every entity ------------------------------------------------------

ENTITY_NAMES = list(ENTITIES)
FORWARD = {
    "account": "ACQUISITION",
    "contact": "ACQUISITION",
    "lead": "CONTACTED",
    "opportunity": "QUALIFICATION",
    "case": "OPEN",
    "campaign": "ACTIVE",
}


@pytest.mark.parametrize("entity", ENTITY_NAMES)
async def test_stale_expected_version_is_a_conflict(client, entity):
    record = await create(client, entity)
    moved(await transition(client, entity, record["id"], FORWARD[entity], expectedVersion=1))
    before = await state(client, entity, record["id"])
    assert before["version"] == 2
    payload = await transition(
        client, entity, record["id"], INITIAL[entity], reason="Back", expectedVersion=1
    )
    refused(payload, "VERSION_CONFLICT", ["expectedVersion"])
    assert await state(client, entity, record["id"]) == before


@pytest.mark.parametrize("entity", ENTITY_NAMES)
async def test_archived_record_cannot_move(client, entity):
    record = await create(client, entity)
    ok((await gql(client, ARCHIVE[entity], input={"id": record["id"]}))["result"])
    before = await state(client, entity, record["id"])
    refused(await transition(client, entity, record["id"], FORWARD[entity]), "ARCHIVED", ["id"])
    assert await state(client, entity, record["id"]) == before


@pytest.mark.parametrize("entity", ENTITY_NAMES)
async def test_record_of_another_workspace_is_not_found(client, other_client, entity):
    foreign = await create(other_client, entity)
    payload = await transition(client, entity, foreign["id"], FORWARD[entity])
    refused(payload, "NOT_FOUND", ["id"])
    assert (await state(other_client, entity, foreign["id"]))["stage"] == INITIAL[entity]


async def test_id_of_another_type_is_not_found(client):
    contact = await create(client, "contact")
    refused(await transition(client, "account", contact["id"], "ADVOCACY"), "NOT_FOUND", ["id"])


# --- Cases: response and resolution times -----------------------------------------------------


async def create_case(client, **fields):
    return ok(
        (await gql(client, CREATE_CASE, input={"subject": "Printer on fire", **fields}))[
            "caseCreate"
        ]
    )


async def move_case(client, case_id, to, **fields):
    payload = await gql(client, CASE_TRANSITION, input={"id": case_id, "to": to, **fields})
    return moved(payload["caseTransition"])


async def test_first_move_out_of_new_sets_first_responded_at_once(client):
    case = await create_case(client)
    assert case["firstRespondedAt"] is None
    opened = await move_case(client, case["id"], "PENDING")
    responded = opened["case"]["firstRespondedAt"]
    assert at(responded) == at(opened["stageChange"]["occurredAt"])
    escalated = await move_case(client, case["id"], "ESCALATED")
    assert escalated["case"]["firstRespondedAt"] == responded


async def test_resolving_sets_resolved_at_and_reopening_clears_it(client):
    case = await create_case(client)
    await move_case(client, case["id"], "OPEN")
    resolved = await move_case(client, case["id"], "RESOLVED")
    assert at(resolved["case"]["resolvedAt"]) == at(resolved["stageChange"]["occurredAt"])
    responded = resolved["case"]["firstRespondedAt"]

    reopened = await move_case(client, case["id"], "OPEN", reason="Still broken")
    assert reopened["case"]["resolvedAt"] is None
    assert reopened["case"]["firstRespondedAt"] == responded

    await move_case(client, case["id"], "RESOLVED")
    closed = await move_case(client, case["id"], "CLOSED")
    assert closed["case"]["resolvedAt"] is not None
    reopened = await move_case(client, case["id"], "OPEN", reason="Broke again")
    assert reopened["case"]["resolvedAt"] is None


async def test_resolving_a_new_case_directly_is_its_first_response_too(client):
    case = await create_case(client)
    resolved = (await move_case(client, case["id"], "RESOLVED"))["case"]
    assert resolved["firstRespondedAt"] is not None
    assert resolved["firstRespondedAt"] == resolved["resolvedAt"]


DEFAULT_TARGETS = {
    "URGENT": (60, 240),
    "HIGH": (240, 1440),
    "MEDIUM": (480, 4320),
    "LOW": (1440, 10080),
}


async def test_sla_policies_list_the_defaults(client):
    policies = (await gql(client, SLA_POLICIES))["slaPolicies"]
    assert {
        p["priority"]: (p["firstResponseMinutes"], p["resolutionMinutes"]) for p in policies
    } == (DEFAULT_TARGETS)
    assert all(policy["isDefault"] for policy in policies)


@pytest.mark.parametrize(("priority", "targets"), DEFAULT_TARGETS.items())
async def test_due_dates_follow_the_default_targets_of_the_priority(client, priority, targets):
    created = now() - timedelta(minutes=30)
    case = await create_case(client, priority=priority, createdAt=created.isoformat())
    assert at(case["createdAt"]) == created
    assert at(case["firstResponseDueAt"]) == created + timedelta(minutes=targets[0])
    assert at(case["resolutionDueAt"]) == created + timedelta(minutes=targets[1])


async def test_priority_defaults_to_medium_with_its_targets(client):
    case = await create_case(client)
    created = at(case["createdAt"])
    assert case["priority"] == "MEDIUM"
    assert at(case["firstResponseDueAt"]) == created + timedelta(minutes=480)
    assert at(case["resolutionDueAt"]) == created + timedelta(minutes=4320)


async def test_sla_policy_update_applies_to_new_cases_and_priority_changes(client):
    created = now() - timedelta(minutes=10)
    before_policy = await create_case(client, priority="HIGH", createdAt=created.isoformat())
    medium = await create_case(client, priority="MEDIUM", createdAt=created.isoformat())

    payload = await gql(
        client,
        SLA_POLICY_UPDATE,
        input={"priority": "HIGH", "firstResponseMinutes": 30, "resolutionMinutes": 120},
    )
    assert ok(payload["slaPolicyUpdate"]) == {
        "priority": "HIGH",
        "firstResponseMinutes": 30,
        "resolutionMinutes": 120,
        "isDefault": False,
    }
    policies = {p["priority"]: p for p in (await gql(client, SLA_POLICIES))["slaPolicies"]}
    assert (policies["HIGH"]["firstResponseMinutes"], policies["HIGH"]["isDefault"]) == (30, False)
    assert policies["LOW"]["isDefault"] is True

    # Cases that existed keep their due dates.
    unchanged = (await gql(client, CASE, id=before_policy["id"]))["node"]
    assert at(unchanged["firstResponseDueAt"]) == created + timedelta(minutes=240)

    after_policy = await create_case(client, priority="HIGH", createdAt=created.isoformat())
    assert at(after_policy["firstResponseDueAt"]) == created + timedelta(minutes=30)
    assert at(after_policy["resolutionDueAt"]) == created + timedelta(minutes=120)

    raised = await gql(client, UPDATE_CASE, input={"id": medium["id"], "priority": "HIGH"})
    raised_case = ok(raised["caseUpdate"])
    assert at(raised_case["firstResponseDueAt"]) == created + timedelta(minutes=30)
    assert at(raised_case["resolutionDueAt"]) == created + timedelta(minutes=120)


async def test_sla_policy_update_is_for_admin_keys_only(client, member_client):
    body = await execute(
        member_client,
        SLA_POLICY_UPDATE,
        input={"priority": "LOW", "firstResponseMinutes": 1, "resolutionMinutes": 2},
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body.get("data") is None
    policies = {p["priority"]: p for p in (await gql(client, SLA_POLICIES))["slaPolicies"]}
    assert policies["LOW"]["isDefault"] is True
    assert policies["LOW"]["firstResponseMinutes"] == 1440


async def test_sla_resolution_target_cannot_be_shorter_than_first_response(client):
    payload = await gql(
        client,
        SLA_POLICY_UPDATE,
        input={"priority": "LOW", "firstResponseMinutes": 60, "resolutionMinutes": 30},
    )
    refused(payload["slaPolicyUpdate"], "INVALID", ["resolutionMinutes"])
    policies = {p["priority"]: p for p in (await gql(client, SLA_POLICIES))["slaPolicies"]}
    assert policies["LOW"]["isDefault"] is True


async def test_breach_flags_of_unanswered_cases(client):
    two_hours_ago = (now() - timedelta(hours=2)).isoformat()
    urgent = await create_case(client, priority="URGENT", createdAt=two_hours_ago)
    high = await create_case(client, priority="HIGH", createdAt=two_hours_ago)
    week_old = await create_case(
        client, priority="LOW", createdAt=(now() - timedelta(days=8)).isoformat()
    )
    assert (urgent["firstResponseBreached"], urgent["resolutionBreached"]) == (True, False)
    assert (high["firstResponseBreached"], high["resolutionBreached"]) == (False, False)
    assert (week_old["firstResponseBreached"], week_old["resolutionBreached"]) == (True, True)


async def test_breach_flags_after_answering_and_resolving(client):
    two_hours_ago = (now() - timedelta(hours=2)).isoformat()
    urgent = await create_case(client, priority="URGENT", createdAt=two_hours_ago)
    high = await create_case(client, priority="HIGH", createdAt=two_hours_ago)
    late = (await move_case(client, urgent["id"], "OPEN"))["case"]
    in_time = (await move_case(client, high["id"], "RESOLVED"))["case"]
    assert (late["firstResponseBreached"], late["resolutionBreached"]) == (True, False)
    assert (in_time["firstResponseBreached"], in_time["resolutionBreached"]) == (False, False)

    # Resolved late: URGENT's resolution target is four hours.
    five_hours_ago = now() - timedelta(hours=5)
    old = await create_case(client, priority="URGENT", createdAt=five_hours_ago.isoformat())
    resolved = (await move_case(client, old["id"], "RESOLVED"))["case"]
    assert resolved["resolutionBreached"] is True
    assert resolved["firstResponseBreached"] is True


@pytest.mark.parametrize(
    ("activity_type", "responds"),
    [("EMAIL", True), ("CALL", True), ("MEETING", True), ("NOTE", False), ("TASK", False)],
)
async def test_outbound_activity_on_a_new_case_is_its_first_response(
    client, activity_type, responds
):
    case = await create_case(client)
    payload = await gql(
        client,
        CREATE_ACTIVITY,
        input={"type": activity_type, "subject": "Re: printer", "caseId": case["id"]},
    )
    activity = ok(payload["activityCreate"])
    node = (await gql(client, CASE, id=case["id"]))["node"]
    assert node["status"] == "NEW"
    if responds:
        assert node["firstRespondedAt"] is not None
        assert at(node["firstRespondedAt"]) == at(activity["occurredAt"])
    else:
        assert node["firstRespondedAt"] is None


async def test_a_later_activity_does_not_move_the_first_response(client):
    case = await create_case(client)
    opened = await move_case(client, case["id"], "OPEN")
    ok(
        (
            await gql(
                client,
                CREATE_ACTIVITY,
                input={"type": "EMAIL", "subject": "Follow-up", "caseId": case["id"]},
            )
        )["activityCreate"]
    )
    node = (await gql(client, CASE, id=case["id"]))["node"]
    assert node["firstRespondedAt"] == opened["case"]["firstRespondedAt"]


async def test_a_call_planned_for_tomorrow_is_not_a_response_yet(client):
    case = await create_case(client)
    tomorrow = (now() + timedelta(days=1)).isoformat()
    ok(
        (
            await gql(
                client,
                CREATE_ACTIVITY,
                input={
                    "type": "CALL",
                    "subject": "Scheduled call",
                    "caseId": case["id"],
                    "occurredAt": tomorrow,
                },
            )
        )["activityCreate"]
    )
    node = (await gql(client, CASE, id=case["id"]))["node"]
    responded = at(node["firstRespondedAt"])
    assert responded is None or responded <= datetime.now(UTC), (
        f"firstRespondedAt is in the future: {node['firstRespondedAt']}"
    )
