"""The funnel of `lifecycleMetrics`, against a history worked out by hand.

Accounts (2026, UTC; range [03-01, 05-01), MONTH buckets March and April):
  A1  REACH 01-01, ACQUISITION 03-10, CONVERSION 04-10
  A2  REACH 03-05, ACQUISITION 03-20, back to REACH 03-25, ACQUISITION 06-01
  A3  REACH 02-01, CONVERSION 02-15 (skips ACQUISITION), RETENTION 05-10 (straddles the range)
  A4  REACH 04-20
  A5  REACH 06-15 (after the range)
  A6  REACH 03-02, ACQUISITION 03-03, archived: never counted
  A7  REACH 02-20, ACQUISITION 03-01T00:00 exactly at `from`
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from tests.builders import History, when
from tests.helpers import gql

# Every report both ways: the states at the windows' ends counted forward and rewound.
pytestmark = pytest.mark.usefixtures("history_direction")

DAY = 86_400
STAGE_FIELDS = """
  stage current entered advanced conversionRate dropOffRate
  averageTimeInStageSeconds medianTimeInStageSeconds
"""
FUNNEL = f"""
query($range: MetricsRange!, $interval: MetricsInterval, $subject: MetricsSubject) {{
  lifecycleMetrics(range: $range, interval: $interval, subject: $subject) {{
    from to interval subject
    funnel {{ {STAGE_FIELDS} }}
    series {{ start end funnel {{ {STAGE_FIELDS} }} }}
  }}
}}
"""


def stage(
    name: str,
    current: int = 0,
    entered: int = 0,
    advanced: int = 0,
    mean: float | None = None,
    median: float | None = None,
) -> dict[str, Any]:
    rate = advanced / entered if entered else None
    return {
        "stage": name,
        "current": current,
        "entered": entered,
        "advanced": advanced,
        "conversionRate": rate,
        "dropOffRate": None if rate is None else 1 - rate,
        "averageTimeInStageSeconds": mean,
        "medianTimeInStageSeconds": median,
    }


async def build(history: History) -> None:
    a1 = await history.create("account", "2026-01-01", name="A1")
    await history.move("account", a1, "ACQUISITION", "2026-03-10")
    await history.move("account", a1, "CONVERSION", "2026-04-10")
    a2 = await history.create("account", "2026-03-05", name="A2")
    await history.move("account", a2, "ACQUISITION", "2026-03-20")
    await history.move("account", a2, "REACH", "2026-03-25", reason="Went quiet")
    await history.move("account", a2, "ACQUISITION", "2026-06-01")
    a3 = await history.create("account", "2026-02-01", name="A3")
    await history.move("account", a3, "CONVERSION", "2026-02-15")
    await history.move("account", a3, "RETENTION", "2026-05-10")
    await history.create("account", "2026-04-20", name="A4")
    await history.create("account", "2026-06-15", name="A5")
    a6 = await history.create("account", "2026-03-02", name="A6")
    await history.move("account", a6, "ACQUISITION", "2026-03-03")
    await history.archive("account", a6)
    a7 = await history.create("account", "2026-02-20", name="A7")
    await history.move("account", a7, "ACQUISITION", "2026-03-01T00:00")


async def test_funnel_over_the_range_and_per_month(client: httpx.AsyncClient) -> None:
    await build(History(client))
    data = await gql(
        client,
        FUNNEL,
        range={"from": when("2026-03-01"), "to": when("2026-05-01")},
        interval="MONTH",
    )
    report = data["lifecycleMetrics"]
    assert (report["from"], report["to"]) == (when("2026-03-01"), when("2026-05-01"))
    assert (report["interval"], report["subject"]) == ("MONTH", "ACCOUNT")
    assert report["funnel"] == [
        # REACH stays ended in range: A1 68 days, A2 15 days, A7 9 days.
        stage("REACH", current=2, entered=2, advanced=1, mean=92 / 3 * DAY, median=15 * DAY),
        # ACQUISITION stays ended in range: A1 31 days, A2 5 days.
        stage("ACQUISITION", current=1, entered=3, advanced=1, mean=18 * DAY, median=18 * DAY),
        stage("CONVERSION", current=2, entered=1, advanced=0),
        stage("RETENTION"),
        stage("ADVOCACY"),
    ]
    march, april = report["series"]
    assert (march["start"], march["end"]) == (when("2026-03-01"), when("2026-04-01"))
    assert march["funnel"] == [
        stage("REACH", current=1, entered=1, advanced=1, mean=92 / 3 * DAY, median=15 * DAY),
        stage("ACQUISITION", current=2, entered=3, advanced=0, mean=5 * DAY, median=5 * DAY),
        stage("CONVERSION", current=1),
        stage("RETENTION"),
        stage("ADVOCACY"),
    ]
    assert (april["start"], april["end"]) == (when("2026-04-01"), when("2026-05-01"))
    assert april["funnel"] == [
        stage("REACH", current=2, entered=1),
        stage("ACQUISITION", current=1, mean=31 * DAY, median=31 * DAY),
        stage("CONVERSION", current=2, entered=1),
        stage("RETENTION"),
        stage("ADVOCACY"),
    ]


async def test_a_range_with_nothing_in_it(client: httpx.AsyncClient) -> None:
    await build(History(client))
    data = await gql(client, FUNNEL, range={"from": when("2025-01-01"), "to": when("2025-02-01")})
    report = data["lifecycleMetrics"]
    empty = [
        stage(name) for name in ("REACH", "ACQUISITION", "CONVERSION", "RETENTION", "ADVOCACY")
    ]
    assert report["funnel"] == empty
    assert [bucket["funnel"] for bucket in report["series"]] == [empty]


@pytest.mark.parametrize("interval", ["DAY", "WEEK", "MONTH", "QUARTER"])
async def test_buckets_start_on_utc_boundaries(client: httpx.AsyncClient, interval: str) -> None:
    data = await gql(
        client,
        FUNNEL,
        range={"from": "2026-02-11T15:00:00+02:00", "to": "2026-05-02T00:00:00Z"},
        interval=interval,
    )
    bounds = [(b["start"], b["end"]) for b in data["lifecycleMetrics"]["series"]]
    first, last = bounds[0], bounds[-1]
    expected_first, expected_last = {
        "DAY": (("2026-02-11", "2026-02-12"), ("2026-05-01", "2026-05-02")),
        "WEEK": (("2026-02-09", "2026-02-16"), ("2026-04-27", "2026-05-04")),
        "MONTH": (("2026-02-01", "2026-03-01"), ("2026-05-01", "2026-06-01")),
        "QUARTER": (("2026-01-01", "2026-04-01"), ("2026-04-01", "2026-07-01")),
    }[interval]
    assert first == tuple(when(day) for day in expected_first)
    assert last == tuple(when(day) for day in expected_last)
    assert all(earlier[1] == later[0] for earlier, later in itertools.pairwise(bounds))
    assert len(bounds) == {"DAY": 80, "WEEK": 12, "MONTH": 4, "QUARTER": 2}[interval]
