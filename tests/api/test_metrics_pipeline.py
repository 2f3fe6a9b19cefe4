"""The pipeline of `lifecycleMetrics`, against opportunities worked out by hand.

Range [2026-03-01, 2026-05-01), MONTH buckets March and April:
  O1  USD 1000  created 02-01, CLOSED_WON 03-11 (38-day cycle)
  O2  USD 3000  created 03-01, PROPOSAL 03-05 (open, 50 %)
  O3  USD 2000  created 01-15, NEGOTIATION 02-01, CLOSED_LOST 04-05
  O4  EUR  500  created 03-10, CLOSED_WON 03-20, reopened 03-25, CLOSED_WON 04-15 (36 days)
  O5  EUR  800  created 04-20 (open, PROSPECTING 10 %)
  O6  USD  700  created 03-02, CLOSED_WON 05-05 (open at the end of the range)
  O7  USD  100  created 03-03, CLOSED_WON 03-04, archived: never counted
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.builders import History, when
from tests.helpers import gql

# Every report both ways: the states at the windows' ends counted forward and rewound.
pytestmark = pytest.mark.usefixtures("history_direction")

PIPELINE_FIELDS = """
  openCount openAmount { currency amount } weightedAmount { currency amount }
  wonCount wonAmount { currency amount } lostCount winRate
  averageDealSize { currency amount } averageSalesCycleDays
  salesVelocityPerDay { currency amount }
"""
PIPELINE = f"""
query($range: MetricsRange!) {{
  lifecycleMetrics(range: $range, interval: MONTH) {{
    pipeline {{ {PIPELINE_FIELDS} }}
    series {{ pipeline {{ {PIPELINE_FIELDS} }} }}
  }}
}}
"""


def money(**amounts: str) -> list[dict[str, str]]:
    return [{"currency": currency, "amount": amount} for currency, amount in amounts.items()]


async def build(history: History) -> None:
    account = await history.create("account", "2026-01-01", name="Buyer")

    async def deal(amount: str, currency: str, created: str) -> str:
        return await history.create(
            "opportunity",
            created,
            name=f"{currency} {amount}",
            accountId=account,
            amount=amount,
            currency=currency,
        )

    o1 = await deal("1000", "USD", "2026-02-01")
    await history.move("opportunity", o1, "CLOSED_WON", "2026-03-11")
    o2 = await deal("3000", "USD", "2026-03-01")
    await history.move("opportunity", o2, "PROPOSAL", "2026-03-05")
    o3 = await deal("2000", "USD", "2026-01-15")
    await history.move("opportunity", o3, "NEGOTIATION", "2026-02-01")
    await history.move("opportunity", o3, "CLOSED_LOST", "2026-04-05", lostReason="Price")
    o4 = await deal("500", "EUR", "2026-03-10")
    await history.move("opportunity", o4, "CLOSED_WON", "2026-03-20")
    await history.move("opportunity", o4, "NEGOTIATION", "2026-03-25", reason="Scope changed")
    await history.move("opportunity", o4, "CLOSED_WON", "2026-04-15")
    await deal("800", "EUR", "2026-04-20")
    o6 = await deal("700", "USD", "2026-03-02")
    await history.move("opportunity", o6, "CLOSED_WON", "2026-05-05")
    o7 = await deal("100", "USD", "2026-03-03")
    await history.move("opportunity", o7, "CLOSED_WON", "2026-03-04")
    await history.archive("opportunity", o7)


def approx_days(report: dict[str, Any]) -> dict[str, Any]:
    days = report["averageSalesCycleDays"]
    return {**report, "averageSalesCycleDays": None if days is None else round(days, 6)}


async def test_pipeline_over_the_range_and_per_month(client: httpx.AsyncClient) -> None:
    await build(History(client))
    data = await gql(client, PIPELINE, range={"from": when("2026-03-01"), "to": when("2026-05-01")})
    report = data["lifecycleMetrics"]
    assert approx_days(report["pipeline"]) == {
        "openCount": 3,  # O2, O5, O6
        "openAmount": money(EUR="800.00", USD="3700.00"),
        "weightedAmount": money(EUR="80.00", USD="1570.00"),  # 3000 x 50 % + 700 x 10 %
        "wonCount": 2,  # O1, and O4 by its last close
        "wonAmount": money(EUR="500.00", USD="1000.00"),
        "lostCount": 1,
        "winRate": 2 / 3,
        "averageDealSize": money(EUR="500.00", USD="1000.00"),
        "averageSalesCycleDays": 37.0,
        # USD: 2 open x 1000 x 1/2 / 38 days; EUR: 1 open x 500 x 1 / 36 days.
        "salesVelocityPerDay": money(EUR="13.89", USD="26.32"),
    }
    march, april = (bucket["pipeline"] for bucket in report["series"])
    assert approx_days(march) == {
        "openCount": 4,  # O2, O3, O4 (reopened), O6
        "openAmount": money(EUR="500.00", USD="5700.00"),
        "weightedAmount": money(EUR="400.00", USD="3170.00"),  # NEGOTIATION is 80 %
        "wonCount": 1,
        "wonAmount": money(USD="1000.00"),
        "lostCount": 0,
        "winRate": 1.0,
        "averageDealSize": money(USD="1000.00"),
        "averageSalesCycleDays": 38.0,
        "salesVelocityPerDay": money(USD="78.95"),  # 3 open x 1000 x 1 / 38
    }
    assert approx_days(april) == {
        "openCount": 3,
        "openAmount": money(EUR="800.00", USD="3700.00"),
        "weightedAmount": money(EUR="80.00", USD="1570.00"),
        "wonCount": 1,
        "wonAmount": money(EUR="500.00"),
        "lostCount": 1,
        "winRate": 0.5,
        "averageDealSize": money(EUR="500.00"),
        "averageSalesCycleDays": 36.0,
        "salesVelocityPerDay": money(EUR="13.89"),
    }


async def test_an_empty_pipeline_has_null_rates(client: httpx.AsyncClient) -> None:
    data = await gql(client, PIPELINE, range={"from": when("2026-03-01"), "to": when("2026-04-01")})
    assert data["lifecycleMetrics"]["pipeline"] == {
        "openCount": 0,
        "openAmount": [],
        "weightedAmount": [],
        "wonCount": 0,
        "wonAmount": [],
        "lostCount": 0,
        "winRate": None,
        "averageDealSize": [],
        "averageSalesCycleDays": None,
        "salesVelocityPerDay": [],
    }


async def test_a_close_counts_in_the_windows_whose_end_it_lasted_to(
    client: httpx.AsyncClient,
) -> None:
    """A close reopened within the range counts in its month, not in the range; one
    reopened after the range counts in both."""
    history = History(client)
    account = await history.create("account", "2026-01-01", name="Buyer")
    early = await history.create(
        "opportunity", "2026-02-01", name="Early", accountId=account, amount="100"
    )
    await history.move("opportunity", early, "CLOSED_WON", "2026-03-15")
    await history.move("opportunity", early, "NEGOTIATION", "2026-04-10", reason="More seats")
    late = await history.create(
        "opportunity", "2026-02-01", name="Late", accountId=account, amount="200"
    )
    await history.move("opportunity", late, "CLOSED_LOST", "2026-04-20", lostReason="Price")
    await history.move("opportunity", late, "PROPOSAL", "2026-05-10", reason="Revived")
    data = await gql(
        client,
        """query($range: MetricsRange!) { lifecycleMetrics(range: $range, interval: MONTH) {
             pipeline { wonCount lostCount openCount }
             series { pipeline { wonCount lostCount openCount } } } }""",
        range={"from": when("2026-03-01"), "to": when("2026-05-01")},
    )
    report = data["lifecycleMetrics"]
    assert report["pipeline"] == {"wonCount": 0, "lostCount": 1, "openCount": 1}
    assert [bucket["pipeline"] for bucket in report["series"]] == [
        {"wonCount": 1, "lostCount": 0, "openCount": 1},
        {"wonCount": 0, "lostCount": 1, "openCount": 1},
    ]


async def test_deals_without_an_amount_are_counted_and_add_nothing(
    client: httpx.AsyncClient,
) -> None:
    """The same whichever way the history is read: open EUR deals with no amount have no
    open amount, one with an amount gives its own; other deals, closed before the range or
    created after it, change nothing."""
    history = History(client)
    account = await history.create("account", "2026-01-01", name="Buyer")
    fields = "openCount openAmount { currency amount } weightedAmount { currency amount }"
    query = f"""query($range: MetricsRange!) {{ lifecycleMetrics(range: $range) {{
                  pipeline {{ {fields} }} }} }}"""
    window = {"from": when("2026-03-01"), "to": when("2026-05-01")}

    async def deal(created: str, **fields: str) -> str:
        return await history.create(
            "opportunity", created, name=created, accountId=account, currency="EUR", **fields
        )

    await deal("2026-02-01")
    await deal("2026-06-01", amount="100")
    lost = await deal("2026-01-05", amount="100")
    await history.move("opportunity", lost, "CLOSED_LOST", "2026-01-10", lostReason="Price")
    data = await gql(client, query, range=window)
    assert data["lifecycleMetrics"]["pipeline"] == {
        "openCount": 1,
        "openAmount": [],
        "weightedAmount": [],
    }
    await deal("2026-02-15", amount="300")
    data = await gql(client, query, range=window)
    assert data["lifecycleMetrics"]["pipeline"] == {
        "openCount": 2,
        "openAmount": money(EUR="300.00"),
        "weightedAmount": money(EUR="30.00"),  # PROSPECTING, 10 %
    }
