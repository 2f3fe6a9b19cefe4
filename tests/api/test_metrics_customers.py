"""Retention, churn and customer lifetime value of `lifecycleMetrics`, and each account's
`lifetimeValue`, against customers worked out by hand.

Range [2026-03-01, 2026-05-01) (61 days), MONTH buckets March and April. A won opportunity
makes its account a customer; the engine moves accounts on wins by itself:
  R1  won USD 1000 on 01-20 and USD 500 on 03-15
  R2  won USD 2000 on 02-01, CHURNED 03-20, won USD 300 on 04-10 (reactivated)
  R3  won EUR 400 on 03-05 (new customer)
  R4  won USD 800 on 01-03, CHURNED 04-20
  R5  lost its only deal: never a customer
  R6  won USD 600 on 02-03, the deal reopened 03-10: a customer no more
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.builders import History, when
from tests.helpers import gql

# Every report both ways: the states at the windows' ends counted forward and rewound.
pytestmark = pytest.mark.usefixtures("history_direction")

RETENTION_FIELDS = """
  customersAtStart customersAtEnd newCustomers churnedCustomers
  retentionRate churnRate repeatPurchaseRate
"""
CUSTOMERS = f"""
query($range: MetricsRange!) {{
  lifecycleMetrics(range: $range, interval: MONTH) {{
    retention {{ {RETENTION_FIELDS} }}
    customerLifetimeValue {{
      customers
      averageHistoricValue {{ currency amount }}
      averageOrderValue {{ currency amount }}
      purchasesPerCustomerPerYear expectedLifespanYears
      predictedValue {{ currency amount }}
    }}
    series {{ retention {{ {RETENTION_FIELDS} }} }}
  }}
}}
"""


def money(**amounts: str) -> list[dict[str, str]]:
    return [{"currency": currency, "amount": amount} for currency, amount in amounts.items()]


class Customers:
    def __init__(self, history: History) -> None:
        self.history = history

    async def account(self, name: str, created: str) -> str:
        return await self.history.create("account", created, name=name)

    async def deal(
        self, account: str, amount: str, created: str, won: str | None, **kw: str
    ) -> str:
        deal = await self.history.create(
            "opportunity",
            created,
            name=f"{amount}",
            accountId=account,
            amount=amount,
            currency=kw.get("currency", "USD"),
        )
        if won is not None:
            await self.history.move("opportunity", deal, "CLOSED_WON", won)
        return deal


async def build(history: History) -> None:
    make = Customers(history)
    r1 = await make.account("R1", "2026-01-01")
    await make.deal(r1, "1000", "2026-01-05", "2026-01-20")
    await make.deal(r1, "500", "2026-03-01", "2026-03-15")
    r2 = await make.account("R2", "2026-01-01")
    await make.deal(r2, "2000", "2026-01-10", "2026-02-01")
    await history.move("account", r2, "CHURNED", "2026-03-20", reason="Budget cut")
    await make.deal(r2, "300", "2026-04-01", "2026-04-10")
    r3 = await make.account("R3", "2026-02-01")
    await make.deal(r3, "400", "2026-02-10", "2026-03-05", currency="EUR")
    r4 = await make.account("R4", "2026-01-01")
    await make.deal(r4, "800", "2026-01-02", "2026-01-03")
    await history.move("account", r4, "CHURNED", "2026-04-20", reason="Moved to a rival")
    r5 = await make.account("R5", "2026-01-01")
    lost = await make.deal(r5, "900", "2026-01-02", None)
    await history.move("opportunity", lost, "CLOSED_LOST", "2026-03-02", lostReason="Price")
    r6 = await make.account("R6", "2026-02-01")
    reopened = await make.deal(r6, "600", "2026-02-02", "2026-02-03")
    await history.move("opportunity", reopened, "NEGOTIATION", "2026-03-10", reason="Disputed")


async def test_retention_and_lifetime_value(client: httpx.AsyncClient) -> None:
    await build(History(client))
    data = await gql(
        client, CUSTOMERS, range={"from": when("2026-03-01"), "to": when("2026-05-01")}
    )
    report = data["lifecycleMetrics"]
    assert report["retention"] == {
        "customersAtStart": 4,  # R1, R2, R4, R6
        "customersAtEnd": 3,  # R1, R2 (back), R3
        "newCustomers": 1,  # R3
        "churnedCustomers": 2,  # R2, R4
        "retentionRate": 0.5,  # (3 - 1) / 4
        "churnRate": 0.5,
        "repeatPurchaseRate": 2 / 3,  # R1 and R2 won twice
    }
    march, april = (bucket["retention"] for bucket in report["series"])
    assert march == {
        "customersAtStart": 4,
        "customersAtEnd": 3,  # R1, R3, R4
        "newCustomers": 1,
        "churnedCustomers": 1,
        "retentionRate": 0.5,
        "churnRate": 0.25,
        "repeatPurchaseRate": 1 / 3,
    }
    assert april == {
        "customersAtStart": 3,
        "customersAtEnd": 3,
        "newCustomers": 0,
        "churnedCustomers": 1,
        "retentionRate": 1.0,
        "churnRate": 1 / 3,
        "repeatPurchaseRate": 2 / 3,
    }
    clv = report["customerLifetimeValue"]
    # Three wins in 61 days by 3 customers; half of the customers churned in 61 days.
    assert clv.pop("purchasesPerCustomerPerYear") == pytest.approx(365.25 / 61)
    assert clv.pop("expectedLifespanYears") == pytest.approx(1 / (0.5 * 365.25 / 61))
    assert clv == {
        "customers": 3,
        "averageHistoricValue": money(EUR="133.33", USD="1266.67"),  # 400 / 3, 3800 / 3
        "averageOrderValue": money(EUR="400.00", USD="950.00"),  # 3800 over 4 wins
        "predictedValue": money(EUR="800.00", USD="1900.00"),  # x (365.25/61) x (122/365.25)
    }


async def test_no_customers_gives_null_rates(client: httpx.AsyncClient) -> None:
    data = await gql(
        client, CUSTOMERS, range={"from": when("2026-03-01"), "to": when("2026-05-01")}
    )
    report = data["lifecycleMetrics"]
    assert report["retention"] == {
        "customersAtStart": 0,
        "customersAtEnd": 0,
        "newCustomers": 0,
        "churnedCustomers": 0,
        "retentionRate": None,
        "churnRate": None,
        "repeatPurchaseRate": None,
    }
    assert report["customerLifetimeValue"] == {
        "customers": 0,
        "averageHistoricValue": [],
        "averageOrderValue": [],
        "purchasesPerCustomerPerYear": None,
        "expectedLifespanYears": None,
        "predictedValue": [],
    }


ACCOUNT_VALUES = """
query {
  accounts(orderBy: [{ field: NAME, direction: ASC }]) {
    nodes {
      name
      lifetimeValue { historic { currency amount } predicted { currency amount } }
    }
  }
}
"""


def days_ago(days: int) -> str:
    moment = datetime.now(UTC) - timedelta(days=days)
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


async def test_each_account_exposes_its_lifetime_value(
    client: httpx.AsyncClient, count_statements: object
) -> None:
    """Over the last 365 days: P1 and P2 were customers at its start, P2 churned (churn 1/2),
    P1 won once more (1 purchase per customer per year): each account's predicted value is
    its average order value x 1 x 2 years."""
    history = History(client)
    make = Customers(history)
    p1 = await make.account("P1", days_ago(400))
    await make.deal(p1, "1000", days_ago(395), days_ago(390))
    await make.deal(p1, "3000", days_ago(60), days_ago(50))
    p2 = await make.account("P2", days_ago(400))
    await make.deal(p2, "500", days_ago(395), days_ago(390))
    await history.move("account", p2, "CHURNED", days_ago(100), reason="Gone")
    await make.deal(p2, "700", days_ago(90), None, currency="EUR")
    await make.account("P3", days_ago(10))
    with count_statements() as counter:  # type: ignore[operator]
        data = await gql(client, ACCOUNT_VALUES)
    assert data["accounts"]["nodes"] == [
        {
            "name": "P1",
            "lifetimeValue": {"historic": money(USD="4000.00"), "predicted": money(USD="4000.00")},
        },
        {
            "name": "P2",
            "lifetimeValue": {"historic": money(USD="500.00"), "predicted": money(USD="1000.00")},
        },
        {"name": "P3", "lifetimeValue": {"historic": [], "predicted": []}},
    ]
    statements_for_three = counter.count
    for name in ("P4", "P5", "P6"):
        await make.account(name, days_ago(5))
    with count_statements() as counter:  # type: ignore[operator]
        await gql(client, ACCOUNT_VALUES)
    assert counter.count == statements_for_three  # one batch, whatever the page size
