"""`lifecycleMetrics` as an API: bad arguments get clear errors, workspaces stay apart, and
the work is a fixed number of SQL statements whatever the data and the number of buckets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_metrics_campaigns import build
from tests.builders import History, when
from tests.helpers import execute, gql

# Every report both ways: the states at the windows' ends counted forward and rewound.
pytestmark = pytest.mark.usefixtures("history_direction")

EVERYTHING = """
query($range: MetricsRange!, $interval: MetricsInterval, $filter: LifecycleMetricsFilter) {
  lifecycleMetrics(range: $range, interval: $interval, filter: $filter) {
    funnel { stage current entered advanced medianTimeInStageSeconds }
    pipeline { openCount wonCount winRate weightedAmount { currency amount } }
    cases { created backlog medianFirstResponseSeconds csat }
    campaigns { campaign { name } leads roi }
    retention { customersAtStart customersAtEnd retentionRate }
    customerLifetimeValue { customers predictedValue { currency amount } }
    advocacy { advocates referredLeads }
    series {
      start end
      funnel { current entered }
      pipeline { openCount }
      cases { created }
      retention { customersAtEnd }
      advocacy { advocates }
    }
  }
}
"""
RANGE = {"from": when("2026-03-01"), "to": when("2026-05-01")}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"range": {"from": when("2026-05-01"), "to": when("2026-05-01")}}, "before `to`"),
        ({"range": {"from": when("2026-05-02"), "to": when("2026-05-01")}}, "before `to`"),
        ({"range": {"from": "2026-03-01T00:00:00", "to": when("2026-05-01")}}, "UTC offset"),
        ({"range": {"from": "1800-01-01T00:00:00Z", "to": when("2026-05-01")}}, "1900 to 2999"),
        (
            {"range": {"from": when("2025-01-01"), "to": when("2026-05-01")}, "interval": "DAY"},
            "at most 366 day buckets",
        ),
        ({"range": RANGE, "filter": {"ownerId": "nonsense"}}, "filter.ownerId"),
        ({"range": RANGE, "filter": {"campaignId": "nonsense"}}, "filter.campaignId"),
    ],
)
async def test_bad_arguments_are_clear_errors(
    client: httpx.AsyncClient, arguments: dict[str, Any], message: str
) -> None:
    body = await execute(client, EVERYTHING, **arguments)
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


async def test_an_id_of_another_type_is_refused(client: httpx.AsyncClient) -> None:
    account = await History(client).create("account", name="Not a user")
    body = await execute(client, EVERYTHING, range=RANGE, filter={"ownerId": account})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_metrics_count_only_the_callers_workspace(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    await build(History(other_client))
    mine = (await gql(client, EVERYTHING, range=RANGE))["lifecycleMetrics"]
    theirs = (await gql(other_client, EVERYTHING, range=RANGE))["lifecycleMetrics"]
    assert sum(stage["current"] for stage in theirs["funnel"]) == 4
    assert sum(stage["current"] for stage in mine["funnel"]) == 0
    assert mine["campaigns"] == []
    assert mine["pipeline"]["wonCount"] == 0
    assert mine["advocacy"] == {"advocates": 0, "referredLeads": 0}


async def test_a_read_only_key_reads_metrics(member_client: httpx.AsyncClient) -> None:
    data = await gql(member_client, EVERYTHING, range=RANGE)
    assert len(data["lifecycleMetrics"]["series"]) == 2


async def test_statements_do_not_grow_with_data_or_buckets(
    client: httpx.AsyncClient, count_statements: Any
) -> None:
    await build(History(client))
    with count_statements() as by_month:
        await gql(client, EVERYTHING, range=RANGE, interval="MONTH")
    with count_statements() as by_day:
        data = await gql(client, EVERYTHING, range=RANGE, interval="DAY")
    assert len(data["lifecycleMetrics"]["series"]) == 61
    assert by_month.count == by_day.count
    for name in ("More", "And more"):
        await History(client).create("account", "2026-03-02", name=name)
        await History(client).create("case", "2026-03-02", subject=name)
    with count_statements() as more_data:
        await gql(client, EVERYTHING, range=RANGE, interval="DAY")
    assert more_data.count == by_day.count
    # A few statements per family of measures, for the range and once more for all the
    # buckets together: never one per record, stage or bucket. Today 14 queries, and on
    # PostgreSQL one statement of settings per session (a family runs in its own).
    queries = [sql for sql in by_day.statements if "set_config" not in sql]
    assert len(queries) <= 14, queries


async def test_series_asked_for_through_a_fragment(client: httpx.AsyncClient) -> None:
    data = await gql(
        client,
        """
query($range: MetricsRange!) {
  lifecycleMetrics(range: $range, interval: WEEK) { ...Charted }
}
fragment Charted on LifecycleMetrics {
  funnel { current }
  ... on LifecycleMetrics { series { start funnel { current } } }
}
""",
        range=RANGE,
    )
    series = data["lifecycleMetrics"]["series"]
    assert series[0]["start"] == when("2026-02-23")  # the Monday of the week holding `from`
    assert len(series) == 10
    assert all(len(bucket["funnel"]) == 5 for bucket in series)
