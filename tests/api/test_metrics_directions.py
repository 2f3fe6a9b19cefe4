"""Every measure of `lifecycleMetrics` is the same whichever way the history is read, counted
forward from its start or rewound from the records as they are now, on random but lawful
histories: ties, deals without an amount, two currencies, archived records, reopened cases,
revived deals, customers who churn and come back, ranges and buckets off the month."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import httpx
import pytest

import resolvers.metrics
from db.enums import CaseStatus, LifecycleStage, OpportunityStage
from resolvers.lifecycle import LIFECYCLES
from tests.builders import History, when
from tests.helpers import gql

STAGE = "stage current entered advanced averageTimeInStageSeconds medianTimeInStageSeconds"
PIPELINE = """openCount openAmount { currency amount } weightedAmount { currency amount }
  wonCount wonAmount { currency amount } lostCount averageSalesCycleDays"""
CASES = "created resolved backlog medianResolutionSeconds escalationRate reopenRate csat"
RETENTION = "customersAtStart customersAtEnd newCustomers churnedCustomers repeatPurchaseRate"
REPORT = f"""
query($range: MetricsRange!, $interval: MetricsInterval, $subject: MetricsSubject) {{
  lifecycleMetrics(range: $range, interval: $interval, subject: $subject) {{
    funnel {{ {STAGE} }} pipeline {{ {PIPELINE} }} cases {{ {CASES} }}
    retention {{ {RETENTION} }} advocacy {{ advocates }}
    customerLifetimeValue {{ customers averageOrderValue {{ currency amount }} }}
    series {{
      start funnel {{ {STAGE} }} pipeline {{ {PIPELINE} }} cases {{ {CASES} }}
      retention {{ {RETENTION} }}
    }}
  }}
}}
"""
START = datetime(2025, 11, 1, tzinfo=UTC)
LAST = datetime(2026, 11, 1, tzinfo=UTC)  # nothing is dated later, whatever today is
RANGES = [
    ("2026-03-01", "2026-05-01", "MONTH", "ACCOUNT"),
    ("2026-01-15", "2026-10-20", "MONTH", "CONTACT"),
    ("2026-06-03T05:00", "2026-06-20", "WEEK", "ACCOUNT"),
    ("2026-02-01", "2027-01-31", "QUARTER", "ACCOUNT"),
    ("2026-09-10", "2026-09-24", "DAY", "CONTACT"),
]


class Walk:
    """Lawful moves of one record, each at or after the one before (sometimes at the same
    instant), chosen by a seeded random generator."""

    def __init__(self, history: History, rng: random.Random) -> None:
        self.history = history
        self.rng = rng

    def later(self, moment: datetime) -> datetime | None:
        roll = self.rng.random()
        if roll < 0.15:
            step = timedelta(0)
        elif roll < 0.4:
            step = timedelta(hours=self.rng.randint(1, 30))
        else:
            step = timedelta(days=self.rng.randint(1, 60))
        return None if moment + step > LAST else moment + step

    async def record(
        self, entity: str, start: Enum, moves: int, **fields: Any
    ) -> tuple[str, datetime]:
        created = START + timedelta(days=self.rng.randint(0, 360), hours=self.rng.randint(0, 23))
        record_id = await self.history.create(entity, created.isoformat(), **fields)
        table = next(
            each.table for each in LIFECYCLES.values() if each.entity_type == entity.upper()
        )
        stage, moment = start, created
        for _ in range(self.rng.randint(0, moves)):
            options = list(table.get(stage, {}))
            next_moment = self.later(moment)
            if not options or next_moment is None:
                break
            stage, moment = self.rng.choice(options), next_moment
            extra = {"lostReason": "Price"} if stage is OpportunityStage.CLOSED_LOST else {}
            await self.history.move(
                entity, record_id, stage.value, moment.isoformat(), reason="Why", **extra
            )
        return record_id, created


async def build(client: httpx.AsyncClient, seed: int) -> None:
    history = History(client)
    walk = Walk(history, random.Random(seed))
    rng = walk.rng
    accounts = []
    for index in range(6):
        phone = {"phone": "+14155550100"} if rng.random() < 0.5 else {}
        start = LifecycleStage.ACQUISITION if phone else LifecycleStage.REACH
        account, _created = await walk.record("account", start, 5, name=f"A{index}", **phone)
        accounts.append(account)
    for index in range(4):
        await walk.record("contact", LifecycleStage.REACH, 4, lastName=f"C{index}")
    for _ in range(10):
        fields: dict[str, Any] = {"accountId": rng.choice(accounts)}
        fields["currency"] = rng.choice(["USD", "EUR"])
        if rng.random() < 0.6:  # the others have no amount
            fields["amount"] = str(rng.randint(1, 50) * 100)
        deal, _created = await walk.record("opportunity", OpportunityStage.PROSPECTING, 5, **fields)
        if rng.random() < 0.1:
            await history.archive("opportunity", deal)
    for index in range(8):
        fields = {"subject": f"S{index}", "accountId": rng.choice(accounts)}
        case, created = await walk.record("case", CaseStatus.NEW, 7, **fields)
        if rng.random() < 0.5:
            scored = min(created + timedelta(days=rng.randint(0, 90)), LAST)
            await history.update(
                "case",
                case,
                satisfactionScore=rng.randint(1, 5),
                satisfactionRecordedAt=when(scored.replace(tzinfo=None).isoformat()),
            )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
async def test_both_ways_of_reading_the_history_agree(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    await build(client, seed)
    for start, end, interval, subject in RANGES:
        reports = []
        for rewind in (False, True):
            monkeypatch.setattr(
                resolvers.metrics, "cheaper_to_rewind", lambda *_, rewind=rewind: rewind
            )
            data = await gql(
                client,
                REPORT,
                range={"from": when(start), "to": when(end)},
                interval=interval,
                subject=subject,
            )
            reports.append(data["lifecycleMetrics"])
        assert reports[0] == reports[1], (start, end, interval, subject)
