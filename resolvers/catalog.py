"""Every record type's fields, relations and the columns behind them, in one place.

The schema builds `<Type>Filter`, `<Type>Order` and `<Type>OrderField` from these,
`resolvers.queryable` turns the inputs into SQL, and reads load only the columns that
the selected fields map to here (a field missing here is an error, not a hidden query);
a later step compiles whole reads from the same declarations.
"""

from __future__ import annotations

from db.enums import (
    ActivityType,
    CampaignStatus,
    CampaignType,
    CaseOrigin,
    CasePriority,
    CaseStatus,
    ForecastCategory,
    LeadStatus,
    LifecycleStage,
    OpportunityStage,
    UserRole,
)
from db.models import (
    Account,
    Activity,
    Campaign,
    Case,
    Contact,
    Lead,
    Opportunity,
    OpportunityLineItem,
    Product,
    User,
)
from resolvers.queryable import (
    Kind,
    Queryable,
    Scalar,
    ToMany,
    ToOne,
    owner_relation,
    record_fields,
    record_reads,
    register,
)

S, INT, DEC, DAY, TIME, BOOL = (
    Kind.STRING,
    Kind.INT,
    Kind.DECIMAL,
    Kind.DATE,
    Kind.DATETIME,
    Kind.BOOLEAN,
)


def _id(column: object, type_name: str) -> Scalar:
    return Scalar(column, Kind.ID, id_type=type_name)  # type: ignore[arg-type]


def _enum(column: object, enum: type) -> Scalar:
    return Scalar(column, Kind.ENUM, enum)  # type: ignore[arg-type]


ACCOUNT = register(
    Queryable(
        "Account",
        Account,
        {
            **record_fields(Account),
            "name": Scalar(Account.name, S),
            "website": Scalar(Account.website, S),
            "industry": Scalar(Account.industry, S),
            "employee_count": Scalar(Account.employee_count, INT),
            "annual_revenue": Scalar(Account.annual_revenue, DEC),
            "currency": Scalar(Account.currency, S),
            "phone": Scalar(Account.phone, S),
            "billing_city": Scalar(Account.billing_city, S),
            "billing_country": Scalar(Account.billing_country, S),
            "lifecycle_stage": _enum(Account.lifecycle_stage, LifecycleStage),
            "parent_id": _id(Account.parent_id, "Account"),
        },
        {
            **owner_relation(Account),
            "parent": ToOne("Account", Account.parent_id),
            "child_accounts": ToMany("Account", Account.parent_id),
            "contacts": ToMany("Contact", Contact.account_id),
            "opportunities": ToMany("Opportunity", Opportunity.account_id),
            "cases": ToMany("Case", Case.account_id),
            "activities": ToMany("Activity", Activity.account_id),
        },
        reads={
            **record_reads(Account, lifecycle=True),
            "lifetime_value": (),  # from its won opportunities, by the account's id
            "billing_address": (
                Account.billing_street,
                Account.billing_city,
                Account.billing_state,
                Account.billing_postal_code,
                Account.billing_country,
            ),
        },
    )
)

CONTACT = register(
    Queryable(
        "Contact",
        Contact,
        {
            **record_fields(Contact),
            "first_name": Scalar(Contact.first_name, S),
            "last_name": Scalar(Contact.last_name, S),
            "email": Scalar(Contact.email, S),
            "phone": Scalar(Contact.phone, S),
            "job_title": Scalar(Contact.job_title, S),
            "lifecycle_stage": _enum(Contact.lifecycle_stage, LifecycleStage),
            "account_id": _id(Contact.account_id, "Account"),
        },
        {
            **owner_relation(Contact),
            "account": ToOne("Account", Contact.account_id),
            "opportunities": ToMany("Opportunity", Opportunity.primary_contact_id),
            "cases": ToMany("Case", Case.contact_id),
            "referred_leads": ToMany("Lead", Lead.referred_by_id),
            "activities": ToMany("Activity", Activity.contact_id),
        },
        reads={
            **record_reads(Contact, lifecycle=True),
            "name": (Contact.first_name, Contact.last_name),
        },
    )
)

LEAD = register(
    Queryable(
        "Lead",
        Lead,
        {
            **record_fields(Lead),
            "first_name": Scalar(Lead.first_name, S),
            "last_name": Scalar(Lead.last_name, S),
            "company": Scalar(Lead.company, S),
            "title": Scalar(Lead.title, S),
            "email": Scalar(Lead.email, S),
            "phone": Scalar(Lead.phone, S),
            "status": _enum(Lead.status, LeadStatus),
            "converted_at": Scalar(Lead.converted_at, TIME),
            "campaign_id": _id(Lead.campaign_id, "Campaign"),
            "referred_by_id": _id(Lead.referred_by_id, "Contact"),
        },
        {
            **owner_relation(Lead),
            "campaign": ToOne("Campaign", Lead.campaign_id),
            "referred_by": ToOne("Contact", Lead.referred_by_id),
            "activities": ToMany("Activity", Activity.lead_id),
        },
        reads={
            **record_reads(Lead, lifecycle=True),
            "name": (Lead.first_name, Lead.last_name),
            "converted_account": (Lead.converted_account_id,),
            "converted_contact": (Lead.converted_contact_id,),
            "converted_opportunity": (Lead.converted_opportunity_id,),
        },
    )
)

OPPORTUNITY = register(
    Queryable(
        "Opportunity",
        Opportunity,
        {
            **record_fields(Opportunity),
            "name": Scalar(Opportunity.name, S),
            "amount": Scalar(Opportunity.amount, DEC),
            "currency": Scalar(Opportunity.currency, S),
            "expected_close_date": Scalar(Opportunity.expected_close_date, DAY),
            "stage": _enum(Opportunity.stage, OpportunityStage),
            "probability": Scalar(Opportunity.probability, INT),
            "forecast_category": _enum(Opportunity.forecast_category, ForecastCategory),
            "closed_at": Scalar(Opportunity.closed_at, TIME),
            "lost_reason": Scalar(Opportunity.lost_reason, S),
            "account_id": _id(Opportunity.account_id, "Account"),
            "primary_contact_id": _id(Opportunity.primary_contact_id, "Contact"),
            "campaign_id": _id(Opportunity.campaign_id, "Campaign"),
        },
        {
            **owner_relation(Opportunity),
            "account": ToOne("Account", Opportunity.account_id),
            "primary_contact": ToOne("Contact", Opportunity.primary_contact_id),
            "campaign": ToOne("Campaign", Opportunity.campaign_id),
            "line_items": ToMany("OpportunityLineItem", OpportunityLineItem.opportunity_id),
            "activities": ToMany("Activity", Activity.opportunity_id),
        },
        reads=record_reads(Opportunity, lifecycle=True),
    )
)

LINE_ITEM = register(
    Queryable(
        "OpportunityLineItem",
        OpportunityLineItem,
        {
            **record_fields(OpportunityLineItem, owned=False),
            "quantity": Scalar(OpportunityLineItem.quantity, DEC),
            "unit_price": Scalar(OpportunityLineItem.unit_price, DEC),
            "discount": Scalar(OpportunityLineItem.discount, DEC),
            "total": Scalar(OpportunityLineItem.total, DEC),
            "product_id": _id(OpportunityLineItem.product_id, "Product"),
            "opportunity_id": _id(OpportunityLineItem.opportunity_id, "Opportunity"),
        },
        {
            "product": ToOne("Product", OpportunityLineItem.product_id),
            "opportunity": ToOne("Opportunity", OpportunityLineItem.opportunity_id),
        },
        reads=record_reads(OpportunityLineItem),
    )
)

PRODUCT = register(
    Queryable(
        "Product",
        Product,
        {
            **record_fields(Product),
            "name": Scalar(Product.name, S),
            "sku": Scalar(Product.sku, S),
            "unit_price": Scalar(Product.unit_price, DEC),
            "currency": Scalar(Product.currency, S),
            "vendor": Scalar(Product.vendor, S),
            "active": Scalar(Product.active, BOOL),
        },
        {
            **owner_relation(Product),
            "line_items": ToMany("OpportunityLineItem", OpportunityLineItem.product_id),
        },
        reads={**record_reads(Product), "description": (Product.description,)},
    )
)

CASE = register(
    Queryable(
        "Case",
        Case,
        {
            **record_fields(Case),
            "subject": Scalar(Case.subject, S),
            "priority": _enum(Case.priority, CasePriority),
            "origin": _enum(Case.origin, CaseOrigin),
            "status": _enum(Case.status, CaseStatus),
            "first_responded_at": Scalar(Case.first_responded_at, TIME),
            "resolved_at": Scalar(Case.resolved_at, TIME),
            "first_response_due_at": Scalar(Case.first_response_due_at, TIME),
            "resolution_due_at": Scalar(Case.resolution_due_at, TIME),
            "account_id": _id(Case.account_id, "Account"),
            "contact_id": _id(Case.contact_id, "Contact"),
        },
        {
            **owner_relation(Case),
            "account": ToOne("Account", Case.account_id),
            "contact": ToOne("Contact", Case.contact_id),
            "activities": ToMany("Activity", Activity.case_id),
        },
        reads={
            **record_reads(Case, lifecycle=True),
            "description": (Case.description,),
            "first_response_breached": (Case.first_response_due_at, Case.first_responded_at),
            "resolution_breached": (Case.resolution_due_at, Case.resolved_at),
            "satisfaction_score": (Case.satisfaction_score,),
            "satisfaction_recorded_at": (Case.satisfaction_recorded_at,),
        },
    )
)

CAMPAIGN = register(
    Queryable(
        "Campaign",
        Campaign,
        {
            **record_fields(Campaign),
            "name": Scalar(Campaign.name, S),
            "type": _enum(Campaign.type, CampaignType),
            "status": _enum(Campaign.status, CampaignStatus),
            "budget": Scalar(Campaign.budget, DEC),
            "actual_cost": Scalar(Campaign.actual_cost, DEC),
            "currency": Scalar(Campaign.currency, S),
            "start_date": Scalar(Campaign.start_date, DAY),
            "end_date": Scalar(Campaign.end_date, DAY),
        },
        {
            **owner_relation(Campaign),
            "leads": ToMany("Lead", Lead.campaign_id),
            "opportunities": ToMany("Opportunity", Opportunity.campaign_id),
        },
        reads=record_reads(Campaign, lifecycle=True),
    )
)

ACTIVITY = register(
    Queryable(
        "Activity",
        Activity,
        {
            **record_fields(Activity),
            "type": _enum(Activity.type, ActivityType),
            "subject": Scalar(Activity.subject, S),
            "occurred_at": Scalar(Activity.occurred_at, TIME),
            "due_at": Scalar(Activity.due_at, TIME),
            "completed": Scalar(Activity.completed, BOOL),
            "account_id": _id(Activity.account_id, "Account"),
            "contact_id": _id(Activity.contact_id, "Contact"),
            "lead_id": _id(Activity.lead_id, "Lead"),
            "opportunity_id": _id(Activity.opportunity_id, "Opportunity"),
            "case_id": _id(Activity.case_id, "Case"),
        },
        {
            **owner_relation(Activity),
            "account": ToOne("Account", Activity.account_id),
            "contact": ToOne("Contact", Activity.contact_id),
            "lead": ToOne("Lead", Activity.lead_id),
            "opportunity": ToOne("Opportunity", Activity.opportunity_id),
            "case": ToOne("Case", Activity.case_id),
        },
        reads={**record_reads(Activity), "body": (Activity.body,)},
    )
)

USER = register(
    Queryable(
        "User",
        User,
        {
            **record_fields(User, owned=False),
            "name": Scalar(User.name, S),
            "email": Scalar(User.email, S),
            "role": _enum(User.role, UserRole),
        },
        reads=record_reads(User),
    )
)
