"""Campaign KPIs, advocacy, the two subjects and the filters of `lifecycleMetrics`, against
records worked out by hand.

Range [2026-03-01, 2026-05-01). Users Uma and Ulf.
Campaigns: Alpha (Uma's, cost USD 1000) ACTIVE 02-01 to 03-15; Beta (Ulf's, no cost) ACTIVE
from 04-01; Gamma ACTIVE 01-02 to 02-28; Delta only PLANNED; Epsilon ACTIVE from 05-01
(exactly at `to`).
Leads: L1 (Alpha, 02-10) converted 03-05 with a USD 2500 deal, won 04-01; L2 (Alpha, 03-10);
L3 (Alpha, 04-20) unqualified; L4 (Alpha, 05-10); L5 (Beta, 04-05) referred by contact Rc;
L6 (no campaign, 03-03) referred by Rc and converted 03-25, which makes Rc an advocate.
Opportunities: Alpha's USD 500 deal of account Adv, lost 03-20; Beta's EUR 900 deal, won 04-12.
Accounts: Adv (Uma's) REACH 01-01 then ADVOCACY 03-30; Ulfs (Ulf's) REACH 03-10; and the
accounts converted from L1 (won: CONVERSION) and L6 (ACQUISITION).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.builders import History, when
from tests.helpers import gql

# Every report both ways: the states at the windows' ends counted forward and rewound.
pytestmark = pytest.mark.usefixtures("history_direction")

REPORT = """
query($range: MetricsRange!, $subject: MetricsSubject, $filter: LifecycleMetricsFilter) {
  lifecycleMetrics(range: $range, subject: $subject, filter: $filter) {
    funnel { stage current entered advanced }
    pipeline { wonCount lostCount }
    campaigns {
      campaign { name } leads convertedLeads leadConversionRate opportunities
      wonOpportunities wonAmount { currency amount } actualCost costPerLead roi
    }
    advocacy { advocates referredLeads referredLeadsConverted referralConversionRate }
  }
}
"""
RANGE = {"from": when("2026-03-01"), "to": when("2026-05-01")}


async def build(history: History) -> dict[str, str]:
    uma = await history.create("user", "2026-01-01", name="Uma", email="uma@example.com")
    ulf = await history.create("user", "2026-01-01", name="Ulf", email="ulf@example.com")

    async def campaign(name: str, created: str, *moves: tuple[str, str], **fields: Any) -> str:
        campaign_id = await history.create("campaign", created, name=name, **fields)
        for to, at in moves:
            await history.move("campaign", campaign_id, to, at)
        return campaign_id

    alpha = await campaign(
        "Alpha",
        "2026-01-01",
        ("ACTIVE", "2026-02-01"),
        ("COMPLETED", "2026-03-15"),
        ownerId=uma,
        actualCost="1000",
        currency="USD",
    )
    beta = await campaign("Beta", "2026-02-01", ("ACTIVE", "2026-04-01"), ownerId=ulf)
    await campaign("Gamma", "2026-01-01", ("ACTIVE", "2026-01-02"), ("COMPLETED", "2026-02-28"))
    await campaign("Delta", "2026-03-01")
    await campaign("Epsilon", "2026-04-01", ("ACTIVE", "2026-05-01"))

    referrer = await history.create("contact", "2026-01-01", lastName="Rc")
    adv = await history.create("account", "2026-01-01", name="Adv", ownerId=uma)
    await history.move("account", adv, "ADVOCACY", "2026-03-30")
    await history.create("account", "2026-03-10", name="Ulfs", ownerId=ulf)

    l1 = await history.create("lead", "2026-02-10", lastName="L1", campaignId=alpha)
    converted = await history.convert(
        l1, "2026-03-05", createOpportunity=True, opportunityName="From L1", amount="2500"
    )
    await history.move("opportunity", converted["opportunity"]["id"], "CLOSED_WON", "2026-04-01")
    await history.create("lead", "2026-03-10", lastName="L2", campaignId=alpha)
    l3 = await history.create("lead", "2026-04-20", lastName="L3", campaignId=alpha)
    await history.move("lead", l3, "UNQUALIFIED", "2026-04-21")
    await history.create("lead", "2026-05-10", lastName="L4", campaignId=alpha)
    await history.create(
        "lead", "2026-04-05", lastName="L5", campaignId=beta, referredById=referrer
    )
    l6 = await history.create("lead", "2026-03-03", lastName="L6", referredById=referrer)
    await history.convert(l6, "2026-03-25")

    lost = await history.create(
        "opportunity", "2026-03-01", name="Alpha direct", accountId=adv, campaignId=alpha,
        amount="500", currency="USD",
    )  # fmt: skip
    await history.move("opportunity", lost, "CLOSED_LOST", "2026-03-20", lostReason="Timing")
    won = await history.create(
        "opportunity", "2026-04-10", name="Beta deal", campaignId=beta, amount="900",
        currency="EUR",
    )  # fmt: skip
    await history.move("opportunity", won, "CLOSED_WON", "2026-04-12")
    return {"uma": uma, "ulf": ulf, "alpha": alpha, "beta": beta}


def funnel(**current: int) -> list[int]:
    stages = ("REACH", "ACQUISITION", "CONVERSION", "RETENTION", "ADVOCACY")
    return [current.get(stage, 0) for stage in stages]


ALPHA = {
    "campaign": {"name": "Alpha"},
    "leads": 3,  # L1, L2, L3 (L4 came after the range)
    "convertedLeads": 1,
    "leadConversionRate": 1 / 3,
    "opportunities": 2,
    "wonOpportunities": 1,
    "wonAmount": [{"currency": "USD", "amount": "2500.00"}],
    "actualCost": "1000.00",
    "costPerLead": "333.33",
    "roi": 1.5,  # (2500 - 1000) / 1000
}
BETA = {
    "campaign": {"name": "Beta"},
    "leads": 1,
    "convertedLeads": 0,
    "leadConversionRate": 0.0,
    "opportunities": 1,
    "wonOpportunities": 1,
    "wonAmount": [{"currency": "EUR", "amount": "900.00"}],
    "actualCost": None,
    "costPerLead": None,
    "roi": None,
}


async def test_campaigns_and_advocacy_of_the_whole_workspace(client: httpx.AsyncClient) -> None:
    await build(History(client))
    report = (await gql(client, REPORT, range=RANGE))["lifecycleMetrics"]
    assert report["campaigns"] == [ALPHA, BETA]
    assert report["advocacy"] == {
        "advocates": 1,  # Adv
        "referredLeads": 2,  # L5, L6
        "referredLeadsConverted": 1,
        "referralConversionRate": 0.5,
    }
    assert [stage["current"] for stage in report["funnel"]] == funnel(
        REACH=1, ACQUISITION=1, CONVERSION=1, ADVOCACY=1
    )
    assert report["pipeline"] == {"wonCount": 2, "lostCount": 1}


async def test_contacts_as_the_subject(client: httpx.AsyncClient) -> None:
    await build(History(client))
    report = (await gql(client, REPORT, range=RANGE, subject="CONTACT"))["lifecycleMetrics"]
    assert report["funnel"] == [
        {"stage": "REACH", "current": 0, "entered": 0, "advanced": 0},
        # The contacts converted from L1 and L6; L1's moved on when its deal was won.
        {"stage": "ACQUISITION", "current": 1, "entered": 2, "advanced": 1},
        {"stage": "CONVERSION", "current": 1, "entered": 1, "advanced": 0},
        {"stage": "RETENTION", "current": 0, "entered": 0, "advanced": 0},
        {"stage": "ADVOCACY", "current": 1, "entered": 1, "advanced": 0},  # Rc, by referral
    ]
    assert report["advocacy"]["advocates"] == 1


async def test_filters_narrow_every_measure(client: httpx.AsyncClient) -> None:
    ids = await build(History(client))

    async def filtered(**criteria: str) -> dict[str, Any]:
        data = await gql(client, REPORT, range=RANGE, filter=criteria)
        return dict(data["lifecycleMetrics"])

    uma = await filtered(ownerId=ids["uma"])
    assert [stage["current"] for stage in uma["funnel"]] == funnel(ADVOCACY=1)
    assert uma["campaigns"] == [ALPHA]
    assert uma["advocacy"]["referredLeads"] == 0  # no lead is hers
    assert uma["pipeline"] == {"wonCount": 0, "lostCount": 0}

    ulf = await filtered(ownerId=ids["ulf"])
    assert [stage["current"] for stage in ulf["funnel"]] == funnel(REACH=1)
    assert ulf["campaigns"] == [BETA]

    alpha = await filtered(campaignId=ids["alpha"])
    # Accounts Alpha sourced: L1's (won) and Adv, which holds Alpha's lost deal.
    assert [stage["current"] for stage in alpha["funnel"]] == funnel(CONVERSION=1, ADVOCACY=1)
    assert alpha["pipeline"] == {"wonCount": 1, "lostCount": 1}
    assert alpha["campaigns"] == [ALPHA]
    assert alpha["advocacy"]["referredLeads"] == 0

    both = await filtered(ownerId=ids["ulf"], campaignId=ids["alpha"])
    assert [stage["current"] for stage in both["funnel"]] == funnel()
    assert both["campaigns"] == []
