"""Case KPIs of `lifecycleMetrics`, against cases worked out by hand, and the satisfaction
score they rest on.

Range [2026-03-01, 2026-05-01), MONTH buckets March and April; every case is MEDIUM, so its
first response is due 8 hours after creation:
  C1  created 03-02 00:00, OPEN 03-02 04:00 (answered in 4 h), RESOLVED 03-05, CLOSED 03-06,
      scored 5 on 03-07
  C2  created 03-10 00:00, OPEN 03-10 10:00 (10 h: late), ESCALATED 03-11, RESOLVED 03-15,
      reopened 04-02, RESOLVED 04-12, scored 2 on 04-13
  C3  created 02-27 20:00, OPEN 02-28 02:00: everything before the range; still open
  C4  created 04-30 20:00, untouched (due after the range)
  C5  created 04-05 00:00, ESCALATED 04-06 00:00 (its first response, 24 h: late)
  C6  created 03-03, archived: never counted
"""

from __future__ import annotations

import httpx
import pytest

from tests.builders import History, when
from tests.helpers import execute, gql

# Every report both ways: the states at the windows' ends counted forward and rewound.
pytestmark = pytest.mark.usefixtures("history_direction")

CASE_FIELDS = """
  created resolved backlog medianFirstResponseSeconds p90FirstResponseSeconds
  medianResolutionSeconds slaComplianceRate escalationRate reopenRate csat
"""
CASES = f"""
query($range: MetricsRange!) {{
  lifecycleMetrics(range: $range, interval: MONTH) {{
    cases {{ {CASE_FIELDS} }}
    series {{ cases {{ {CASE_FIELDS} }} }}
  }}
}}
"""
HOUR = 3_600
DAY = 86_400


async def build(history: History) -> None:
    c1 = await history.create("case", "2026-03-02T00:00", subject="C1")
    await history.move("case", c1, "OPEN", "2026-03-02T04:00")
    await history.move("case", c1, "RESOLVED", "2026-03-05")
    await history.move("case", c1, "CLOSED", "2026-03-06")
    await history.update("case", c1, satisfactionScore=5, satisfactionRecordedAt=when("2026-03-07"))
    c2 = await history.create("case", "2026-03-10T00:00", subject="C2")
    await history.move("case", c2, "OPEN", "2026-03-10T10:00")
    await history.move("case", c2, "ESCALATED", "2026-03-11")
    await history.move("case", c2, "RESOLVED", "2026-03-15")
    await history.move("case", c2, "OPEN", "2026-04-02", reason="Came back")
    await history.move("case", c2, "RESOLVED", "2026-04-12")
    await history.update("case", c2, satisfactionScore=2, satisfactionRecordedAt=when("2026-04-13"))
    c3 = await history.create("case", "2026-02-27T20:00", subject="C3")
    await history.move("case", c3, "OPEN", "2026-02-28T02:00")
    await history.create("case", "2026-04-30T20:00", subject="C4")
    c5 = await history.create("case", "2026-04-05T00:00", subject="C5")
    await history.move("case", c5, "ESCALATED", "2026-04-06T00:00")
    c6 = await history.create("case", "2026-03-03", subject="C6")
    await history.move("case", c6, "RESOLVED", "2026-03-04")
    await history.update("case", c6, satisfactionScore=1, satisfactionRecordedAt=when("2026-03-05"))
    await history.archive("case", c6)


async def test_case_kpis_over_the_range_and_per_month(client: httpx.AsyncClient) -> None:
    await build(History(client))
    data = await gql(client, CASES, range={"from": when("2026-03-01"), "to": when("2026-05-01")})
    report = data["lifecycleMetrics"]
    assert report["cases"] == {
        "created": 4,  # C1, C2, C4, C5
        "resolved": 2,  # C1, C2 (twice)
        "backlog": 3,  # C3, C4, C5
        "medianFirstResponseSeconds": 10 * HOUR,  # of 4 h, 10 h, 24 h
        "p90FirstResponseSeconds": 76_320.0,  # 10 h + 0.8 x (24 h - 10 h)
        "medianResolutionSeconds": (3 * DAY + 33 * DAY) / 2,  # C2 by its last resolution
        "slaComplianceRate": 1 / 3,  # due in range: C1 met, C2 and C5 missed
        "escalationRate": 0.5,  # C2, C5 of 4 created
        "reopenRate": 0.5,  # C2 of C1, C2
        "csat": 0.5,  # a 5 and a 2
    }
    march, april = (bucket["cases"] for bucket in report["series"])
    assert march == {
        "created": 2,
        "resolved": 2,
        "backlog": 1,  # C3
        "medianFirstResponseSeconds": 7 * HOUR,
        "p90FirstResponseSeconds": 33_840.0,  # 4 h + 0.9 x 6 h
        "medianResolutionSeconds": 4 * DAY,  # of 3 and 5 days
        "slaComplianceRate": 0.5,
        "escalationRate": 0.5,
        "reopenRate": 0.0,  # C2 reopened only in April
        "csat": 1.0,
    }
    assert april == {
        "created": 2,
        "resolved": 1,
        "backlog": 3,
        "medianFirstResponseSeconds": 24 * HOUR,
        "p90FirstResponseSeconds": 24 * HOUR,
        "medianResolutionSeconds": 33 * DAY,
        "slaComplianceRate": 0.0,
        "escalationRate": 0.5,
        "reopenRate": 0.0,
        "csat": 0.0,
    }


async def test_buckets_reach_before_a_range_that_starts_mid_month(
    client: httpx.AsyncClient,
) -> None:
    """March's bucket starts on 03-01, before the range: C2's escalation on 03-11 counts
    in March, not in the range, which starts on 03-12."""
    await build(History(client))
    fields = "created escalationRate resolved reopenRate"
    data = await gql(
        client,
        f"""query($range: MetricsRange!) {{ lifecycleMetrics(range: $range, interval: MONTH) {{
              cases {{ {fields} }} series {{ start cases {{ {fields} }} }} }} }}""",
        range={"from": when("2026-03-12"), "to": when("2026-04-20")},
    )
    report = data["lifecycleMetrics"]
    # C5 created and escalated; C2 resolved on 03-15, reopened on 04-02, resolved again.
    assert report["cases"] == {
        "created": 1,
        "escalationRate": 1.0,
        "resolved": 1,
        "reopenRate": 1.0,
    }
    march, april = report["series"]
    assert march["start"] == when("2026-03-01")
    # C1 and C2 created, C2 escalated; both resolved, neither reopened before April.
    assert march["cases"] == {
        "created": 2,
        "escalationRate": 0.5,
        "resolved": 2,
        "reopenRate": 0.0,
    }
    # C4 and C5 created, C5 escalated; C2 resolved on 04-12, after its reopen.
    assert april["cases"] == {
        "created": 2,
        "escalationRate": 0.5,
        "resolved": 1,
        "reopenRate": 0.0,
    }


async def test_no_cases_gives_zero_counts_and_null_rates(client: httpx.AsyncClient) -> None:
    data = await gql(client, CASES, range={"from": when("2026-03-01"), "to": when("2026-05-01")})
    assert data["lifecycleMetrics"]["cases"] == {
        "created": 0,
        "resolved": 0,
        "backlog": 0,
        "medianFirstResponseSeconds": None,
        "p90FirstResponseSeconds": None,
        "medianResolutionSeconds": None,
        "slaComplianceRate": None,
        "escalationRate": None,
        "reopenRate": None,
        "csat": None,
    }


CASE_UPDATE = """
mutation($input: CaseUpdateInput!) {
  caseUpdate(input: $input) {
    case { satisfactionScore satisfactionRecordedAt } userErrors { field code message }
  }
}
"""


async def test_a_satisfaction_score_is_dated_and_checked(client: httpx.AsyncClient) -> None:
    case_id = await History(client).create("case", "2026-03-02", subject="Rated")
    scored = await gql(client, CASE_UPDATE, input={"id": case_id, "satisfactionScore": 4})
    assert scored["caseUpdate"]["case"]["satisfactionScore"] == 4
    assert scored["caseUpdate"]["case"]["satisfactionRecordedAt"] is not None
    for bad, field in (
        ({"satisfactionScore": 6}, ["satisfactionScore"]),
        ({"satisfactionScore": 0}, ["satisfactionScore"]),
        ({"satisfactionRecordedAt": when("2026-03-05")}, ["satisfactionRecordedAt"]),
        (
            {"satisfactionScore": 3, "satisfactionRecordedAt": when("2026-03-01")},
            ["satisfactionRecordedAt"],
        ),
    ):
        refused = await gql(client, CASE_UPDATE, input={"id": case_id, **bad})
        payload = refused["caseUpdate"]
        assert payload["case"] is None
        assert payload["userErrors"][0]["field"] == field, payload
    unchanged = await gql(client, CASE_UPDATE, input={"id": case_id})
    assert unchanged["caseUpdate"]["case"] == scored["caseUpdate"]["case"]
    cleared = await gql(client, CASE_UPDATE, input={"id": case_id, "satisfactionScore": None})
    assert cleared["caseUpdate"]["case"] == {
        "satisfactionScore": None,
        "satisfactionRecordedAt": None,
    }


async def test_only_admin_keys_date_a_score(member_client: httpx.AsyncClient) -> None:
    case_id = await History(member_client).create("case", subject="Rated")
    body = await execute(
        member_client,
        CASE_UPDATE,
        input={"id": case_id, "satisfactionScore": 5, "satisfactionRecordedAt": when("2026-03-01")},
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
