"""Builders for the workspace's people and catalogue: users, products, campaigns."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from db.enums import CampaignType, UserRole
from resolvers.seed import vocabulary as words
from resolvers.seed.context import HISTORY, Row, Seeding, email

CAMPAIGNS = 20

# Every workspace has one of each; the rest are mostly sellers.
FIRST_ROLES = (UserRole.ADMIN, UserRole.MANAGER, UserRole.SUPPORT, UserRole.MARKETING)
OTHER_ROLES = (UserRole.SALES, UserRole.SUPPORT, UserRole.MANAGER)


def users(s: Seeding) -> list[Row]:
    count = min(40, 5 + s.accounts // 500)
    taken: set[str] = set()
    rows = []
    for number in range(count):
        role = (
            FIRST_ROLES[number]
            if number < len(FIRST_ROLES)
            else s.rng.choices(OTHER_ROLES, (70, 20, 10))[0]
        )
        first, last = s.rng.choice(words.FIRST_NAMES), s.rng.choice(words.LAST_NAMES)
        when = s.as_of - HISTORY - timedelta(days=s.rng.randint(1, 60))
        address = email(first, last, "crm.example", taken)
        rows.append(s.row(when, name=f"{first} {last}", email=address, role=role))
    return rows


def products(s: Seeding) -> list[Row]:
    rows = []
    for code, family, vendor, base in words.PRODUCT_FAMILIES:
        for edition_code, edition, multiplier in words.PRODUCT_EDITIONS:
            for term_code, term, adverb, months, term_discount in words.PRODUCT_TERMS:
                price = Decimal(base) * multiplier * months * term_discount
                unit_price = price.quantize(Decimal(1)) - Decimal("0.01")
                rows.append(
                    s.row(
                        s.as_of - HISTORY,
                        name=f"{family} {edition} ({term})",
                        sku=f"{code}-{edition_code}-{term_code}",
                        description=f"{family}, {edition} edition, billed {adverb}, per seat.",
                        unit_price=max(unit_price, Decimal("0.99")),
                        currency=s.currency,
                        vendor=vendor,
                        owner_id=s.rng.choice(s.owners(UserRole.MANAGER, UserRole.ADMIN)),
                    )
                )
    return rows


def campaigns(s: Seeding) -> list[Row]:
    marketers = s.owners(UserRole.MARKETING)
    rows = []
    for theme in words.CAMPAIGN_THEMES[:CAMPAIGNS]:
        start = s.since_start()
        budget = Decimal(s.rng.randrange(5_000, 200_000, 500))
        end = start + timedelta(days=s.rng.randint(14, 90))
        finished = end <= s.as_of
        spent = (budget * Decimal(s.rng.randint(60, 110)) / 100).quantize(Decimal("0.01"))
        rows.append(
            s.row(
                start - timedelta(days=s.rng.randint(7, 45)),
                name=f"{theme} {start.year}",
                type=s.rng.choice(list(CampaignType)),
                budget=budget,
                actual_cost=spent if finished else None,
                currency=s.currency,
                start_date=start.date(),
                end_date=end.date(),
                owner_id=s.rng.choice(marketers),
            )
        )
    return rows
