"""Opportunities and their product line items; with line items, the amount is their sum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models import Account, Campaign, Contact, Opportunity, OpportunityLineItem, Product, User
from resolvers import records
from resolvers.contacts import contact_belongs_to_account
from resolvers.errors import ErrorCode, FieldError, UserInputError
from resolvers.principal import Principal
from resolvers.validation import MAX_MONEY, Amount, Currency, Day, Reference, Text

SPEC: records.Spec = {
    "name": Text(255, required=True),
    "account_id": Reference(Account),
    "primary_contact_id": Reference(Contact),
    "campaign_id": Reference(Campaign),
    "amount": Amount(),
    "currency": Currency(),
    "expected_close_date": Day(),
    "owner_id": Reference(User),
}

LINE_ITEM_SPEC: records.Spec = {
    "product_id": Reference(Product, required=True),
    "quantity": Amount(required=True, positive=True, maximum=Decimal(10**9)),
    # Defaults to the product's list price when the product is priced in the same currency.
    "unit_price": Amount(),
    # Percent off, 0 to 100.
    "discount": Amount(maximum=Decimal(100)),
}

CENT = Decimal("0.01")


def line_total(quantity: Decimal, unit_price: Decimal, discount: Decimal) -> Decimal:
    gross = quantity * unit_price * (Decimal(100) - discount) / Decimal(100)
    return gross.quantize(CENT, rounding=ROUND_HALF_UP)


async def _clean_line_items(
    session: AsyncSession, actor: Principal, items: Sequence[Mapping[str, Any]], currency: str
) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        path = ("line_items", str(index))
        try:
            values = await records.clean_input(
                session, LINE_ITEM_SPEC, item, principal=actor, creating=True
            )
        except UserInputError as invalid:
            errors += [
                FieldError(e.code, e.message, path + (e.field or ())) for e in invalid.errors
            ]
            continue
        product = await session.get_one(Product, values["product_id"])
        if not product.active:
            errors.append(
                FieldError(ErrorCode.INVALID, "Product is inactive.", (*path, "product_id"))
            )
            continue
        if values.get("unit_price") is None:
            if product.currency != currency:
                errors.append(
                    FieldError(
                        ErrorCode.REQUIRED,
                        f"Product is priced in {product.currency}; give a unitPrice in {currency}.",
                        (*path, "unit_price"),
                    )
                )
                continue
            values["unit_price"] = product.unit_price
        values["discount"] = values.get("discount") or Decimal(0)
        values["total"] = line_total(values["quantity"], values["unit_price"], values["discount"])
        if values["total"] > MAX_MONEY:
            errors.append(
                FieldError(
                    ErrorCode.INVALID, f"Line total exceeds {MAX_MONEY}.", (*path, "quantity")
                )
            )
            continue
        cleaned.append(values)
    if not errors and _amount_of(cleaned) > MAX_MONEY:
        errors.append(
            FieldError(
                ErrorCode.INVALID, f"The line items sum to more than {MAX_MONEY}.", ("line_items",)
            )
        )
    if errors:
        raise UserInputError(errors)
    return cleaned


def _amount_is_derived(data: Mapping[str, Any]) -> None:
    if "amount" in data:
        raise UserInputError.single(
            ErrorCode.INVALID,
            "Amount is the sum of the line items; change the line items instead.",
            ("amount",),
        )


async def _active_line_item_count(session: AsyncSession, opportunity_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                OpportunityLineItem.opportunity_id == opportunity_id,
                OpportunityLineItem.archived_at.is_(None),
            )
        )
        or 0
    )


def _add_line_items(
    session: AsyncSession, actor: Principal, opportunity_id: int, items: list[dict[str, Any]]
) -> None:
    for item in items:
        session.add(
            OpportunityLineItem(
                workspace_id=actor.workspace_id, opportunity_id=opportunity_id, **item
            )
        )


def _amount_of(items: list[dict[str, Any]]) -> Decimal:
    return sum((item["total"] for item in items), Decimal(0))


async def _replace_line_items(
    session: AsyncSession, actor: Principal, opportunity: Opportunity, items: list[dict[str, Any]]
) -> None:
    # Replaced items are archived, not deleted: nothing in the CRM is hard-deleted.
    await session.execute(
        sql_update(OpportunityLineItem)
        .where(
            OpportunityLineItem.opportunity_id == opportunity.id,
            OpportunityLineItem.archived_at.is_(None),
        )
        .values(archived_at=utcnow(), version=OpportunityLineItem.version + 1)
        .execution_options(synchronize_session=False)
    )
    _add_line_items(session, actor, opportunity.id, items)
    if items:
        opportunity.amount = _amount_of(items)
    # Other line items change the opportunity even when its amount stays: a new version.
    opportunity.updated_at = utcnow()


async def create(
    session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]
) -> Opportunity:
    fields = dict(data)
    items = fields.pop("line_items", None) or []
    created_at = records.import_time(actor, data, "created_at")
    values = await records.clean_input(session, SPEC, fields, principal=actor, creating=True)
    values["created_at"] = created_at or utcnow()
    for rule in (
        records.currency_defaults(actor),
        contact_belongs_to_account("primary_contact_id"),
    ):
        await rule(session, None, values)
    cleaned_items = await _clean_line_items(session, actor, items, values["currency"])
    if cleaned_items:
        _amount_is_derived(fields)
        values["amount"] = _amount_of(cleaned_items)
    opportunity = await records.create(session, Opportunity, principal=actor, values=values)
    _add_line_items(session, actor, opportunity.id, cleaned_items)
    await session.flush()
    return opportunity


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Opportunity:
    fields = dict(data)
    # Left out keeps the line items; null or [] removes them all (the amount is then free).
    replaces_items = "line_items" in fields
    items = fields.pop("line_items", None) or []
    opportunity = await records.get_for_write(
        session,
        Opportunity,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
    )
    values = await records.clean_input(session, SPEC, fields, principal=actor, creating=False)
    await contact_belongs_to_account("primary_contact_id")(session, opportunity, values)
    currency = records.effective(opportunity, values, "currency")
    if replaces_items:
        cleaned_items = await _clean_line_items(session, actor, items, currency)
        if cleaned_items:
            _amount_is_derived(fields)
        records.assign(opportunity, values)
        await _replace_line_items(session, actor, opportunity, cleaned_items)
    else:
        if await _active_line_item_count(session, opportunity.id):
            _amount_is_derived(fields)
            if currency != opportunity.currency:
                raise UserInputError.single(
                    ErrorCode.INVALID,
                    "Give the line items again, priced in the new currency.",
                    ("currency",),
                )
        records.assign(opportunity, values)
    await session.flush()
    return opportunity
