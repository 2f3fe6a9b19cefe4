"""Which records a report counts: the workspace's live (not archived) records, narrowed by
the report's filter.

`ownerId` keeps the records that user owns. `campaignId` keeps what the campaign sourced:
its leads and opportunities, the accounts and contacts made from its leads or holding its
opportunities, and the cases of those accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select

from db.models import Account, Campaign, Case, Contact, Lead, Opportunity


@dataclass(frozen=True, slots=True)
class Scope:
    workspace_id: int
    owner_id: int | None = None
    campaign_id: int | None = None

    def _live(self, model: Any) -> list[Any]:
        conditions = [model.workspace_id == self.workspace_id, model.archived_at.is_(None)]
        if self.owner_id is not None:
            conditions.append(model.owner_id == self.owner_id)
        return conditions

    def accounts(self) -> Select[Any]:
        query = select(Account.id).where(*self._live(Account))
        if self.campaign_id is not None:
            query = query.where(
                or_(
                    Account.id.in_(self._from_campaign_leads(Lead.converted_account_id)),
                    Account.id.in_(self._from_campaign_opportunities(Opportunity.account_id)),
                )
            )
        return query

    def contacts(self) -> Select[Any]:
        query = select(Contact.id).where(*self._live(Contact))
        if self.campaign_id is not None:
            query = query.where(
                or_(
                    Contact.id.in_(self._from_campaign_leads(Lead.converted_contact_id)),
                    Contact.id.in_(
                        self._from_campaign_opportunities(Opportunity.primary_contact_id)
                    ),
                )
            )
        return query

    def opportunity_conditions(self) -> list[Any]:
        conditions = self._live(Opportunity)
        if self.campaign_id is not None:
            conditions.append(Opportunity.campaign_id == self.campaign_id)
        return conditions

    def opportunities(self) -> Select[Any]:
        return select(Opportunity.id).where(*self.opportunity_conditions())

    def lead_conditions(self) -> list[Any]:
        conditions = self._live(Lead)
        if self.campaign_id is not None:
            conditions.append(Lead.campaign_id == self.campaign_id)
        return conditions

    def case_conditions(self) -> list[Any]:
        conditions = self._live(Case)
        if self.campaign_id is not None:
            sourced = Scope(self.workspace_id, campaign_id=self.campaign_id).accounts()
            conditions.append(Case.account_id.in_(sourced))
        return conditions

    def cases(self) -> Select[Any]:
        return select(Case.id).where(*self.case_conditions())

    def campaign_conditions(self) -> list[Any]:
        conditions = self._live(Campaign)
        if self.campaign_id is not None:
            conditions.append(Campaign.id == self.campaign_id)
        return conditions

    def campaigns(self) -> Select[Any]:
        return select(Campaign.id).where(*self.campaign_conditions())

    def _from_campaign_leads(self, column: Any) -> Select[Any]:
        return select(column).where(
            Lead.workspace_id == self.workspace_id,
            Lead.campaign_id == self.campaign_id,
            column.is_not(None),
        )

    def _from_campaign_opportunities(self, column: Any) -> Select[Any]:
        return select(column).where(
            Opportunity.workspace_id == self.workspace_id,
            Opportunity.campaign_id == self.campaign_id,
            column.is_not(None),
        )
