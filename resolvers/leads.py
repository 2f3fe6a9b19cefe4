"""Leads: prospects before they are qualified into an account and a contact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import LeadStatus, LifecycleStage, StageChangeCause
from db.models import Account, Campaign, Contact, Lead, Opportunity, User
from resolvers import lifecycle, records
from resolvers.errors import ErrorCode, UserInputError
from resolvers.principal import Principal
from resolvers.validation import Amount, Choice, Email, Phone, Reference, Text

SPEC: records.Spec = {
    "first_name": Text(100),
    "last_name": Text(100, required=True),
    "company": Text(255),
    "title": Text(150),
    "email": Email(),
    "phone": Phone(),
    "campaign_id": Reference(Campaign),
    "referred_by_id": Reference(Contact),
    "owner_id": Reference(User),
}


CONVERSION_SPEC: records.Spec = {
    "account_id": Reference(Account),
    "contact_id": Reference(Contact),
    "create_opportunity": Choice(),
    "opportunity_name": Text(255),
    "amount": Amount(),
}


async def _is_not_converted(
    session: AsyncSession, lead: Lead | None, values: dict[str, Any]
) -> None:
    if lead is not None and lead.status is LeadStatus.CONVERTED:
        raise UserInputError.single(ErrorCode.READ_ONLY, "A converted lead is read-only.", ("id",))


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Lead:
    return await records.create_from_input(session, Lead, SPEC, principal=actor, data=data)


@dataclass(frozen=True, slots=True)
class Conversion:
    lead: Lead
    account: Account
    contact: Contact
    opportunity: Opportunity | None


async def convert(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Conversion:
    """Turn a lead into an account, a contact and optionally an opportunity, at once.

    Existing records named by `account_id` / `contact_id` are reused, and only their empty
    fields are filled from the lead. The lead row stays locked throughout, so of two
    concurrent conversions exactly one happens.
    """
    lead = await records.get_for_write(
        session,
        Lead,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        field="lead_id",
    )
    lifecycle.check_convertible(lead)
    values = await records.clean_input(
        session, CONVERSION_SPEC, data, principal=actor, creating=False
    )
    imported_at = records.import_time(actor, data, "occurred_at")
    if imported_at is not None:
        await lifecycle.ensure_after_history(session, lead, imported_at)
    occurred_at = imported_at or utcnow()
    contact = await _given(session, Contact, values.get("contact_id"))
    account = await _given(session, Account, values.get("account_id"))
    if account is None and contact is not None and contact.account_id is not None:
        account = await session.get_one(Account, contact.account_id)
    account = account or await _new_account(session, actor, lead, occurred_at)
    contact = await _contact_for(session, actor, lead, account, contact, occurred_at)
    _fill_empty(account, phone=lead.phone)
    await lifecycle.advance(
        session,
        [account, contact],
        LifecycleStage.ACQUISITION,
        cause=StageChangeCause.LEAD_CONVERSION,
        actor=actor,
        occurred_at=occurred_at,
    )
    opportunity = None
    if values.get("create_opportunity"):
        opportunity = await _new_opportunity(
            session, actor, lead, account, contact, values, occurred_at
        )
    lead.converted_at = occurred_at
    lead.converted_account_id, lead.converted_contact_id = account.id, contact.id
    lead.converted_opportunity_id = opportunity.id if opportunity else None
    await lifecycle.mark_converted(session, lead, actor=actor, occurred_at=occurred_at)
    await _credit_referrer(session, actor, lead, occurred_at)
    await session.flush()
    return Conversion(lead=lead, account=account, contact=contact, opportunity=opportunity)


async def _given(session: AsyncSession, model: type[Any], pk: int | None) -> Any:
    if pk is None:
        return None
    return await session.scalar(select(model).where(model.id == pk).with_for_update())


def _fill_empty(record: Any, **values: Any) -> None:
    """Copy lead details onto an existing record without overwriting what it has."""
    for column, value in values.items():
        if value is not None and getattr(record, column) is None:
            setattr(record, column, value)


def _full_name(lead: Lead) -> str:
    return " ".join(part for part in (lead.first_name, lead.last_name) if part)


async def _new_account(
    session: AsyncSession, actor: Principal, lead: Lead, occurred_at: datetime
) -> Account:
    values = {
        "name": lead.company or _full_name(lead),
        "phone": lead.phone,
        "owner_id": lead.owner_id,
        "currency": await records.default_currency(session, actor),
        "created_at": occurred_at,
    }
    return await records.create(session, Account, principal=actor, values=values, from_lead=True)


async def _contact_for(
    session: AsyncSession,
    actor: Principal,
    lead: Lead,
    account: Account,
    contact: Contact | None,
    occurred_at: datetime,
) -> Contact:
    details = {
        "first_name": lead.first_name,
        "email": lead.email,
        "phone": lead.phone,
        "job_title": lead.title,
    }
    if contact is None:
        values = {
            **details,
            "last_name": lead.last_name,
            "account_id": account.id,
            "owner_id": lead.owner_id,
            "created_at": occurred_at,
        }
        return await records.create(
            session, Contact, principal=actor, values=values, from_lead=True
        )
    if contact.account_id not in (None, account.id):
        raise UserInputError.single(
            ErrorCode.INVALID, "This contact belongs to another account.", ("contact_id",)
        )
    _fill_empty(contact, account_id=account.id, **details)
    return contact


async def _new_opportunity(
    session: AsyncSession,
    actor: Principal,
    lead: Lead,
    account: Account,
    contact: Contact,
    values: Mapping[str, Any],
    occurred_at: datetime,
) -> Opportunity:
    opportunity_values = {
        "name": values.get("opportunity_name") or f"{account.name}: {_full_name(lead)}",
        "amount": values.get("amount"),
        "currency": await records.default_currency(session, actor),
        "account_id": account.id,
        "primary_contact_id": contact.id,
        "campaign_id": lead.campaign_id,
        "owner_id": lead.owner_id,
        "created_at": occurred_at,
    }
    return await records.create(
        session, Opportunity, principal=actor, values=opportunity_values, from_lead=True
    )


async def _credit_referrer(
    session: AsyncSession, actor: Principal, lead: Lead, occurred_at: datetime
) -> None:
    """The contact who referred a lead that converted becomes an advocate."""
    referrer = await _given(session, Contact, lead.referred_by_id)
    if referrer is not None:
        await lifecycle.advance(
            session,
            [referrer],
            LifecycleStage.ADVOCACY,
            cause=StageChangeCause.REFERRAL,
            actor=actor,
            occurred_at=occurred_at,
        )


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Lead:
    return await records.update_from_input(
        session,
        Lead,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
        rules=[_is_not_converted],
    )
