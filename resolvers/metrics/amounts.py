"""Money in metrics: always per currency, never summed across currencies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class CurrencyAmount:
    currency: str
    amount: Decimal


def to_cents(amount: Decimal) -> Decimal:
    # Banker's rounding: averages and shares of many amounts do not drift upwards.
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def by_currency(amounts: Mapping[str, Decimal | None]) -> list[CurrencyAmount]:
    """The amounts that exist, in currency-code order."""
    return [
        CurrencyAmount(currency, to_cents(amount))
        for currency, amount in sorted(amounts.items())
        if amount is not None
    ]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """A rate or an average; null when there is nothing to divide by."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator
