"""The database enums, exposed to GraphQL once each."""

import strawberry

from db import enums

LifecycleStage = strawberry.enum(
    enums.LifecycleStage,
    description="Customer lifecycle stage: REACH → ACQUISITION → CONVERSION → RETENTION → "
    "ADVOCACY, and CHURNED for customers who left.",
)
LeadStatus = strawberry.enum(enums.LeadStatus, description="Where a lead stands.")
OpportunityStage = strawberry.enum(enums.OpportunityStage, description="Sales pipeline stage.")
ForecastCategory = strawberry.enum(
    enums.ForecastCategory, description="Forecast bucket of a stage."
)
CaseStatus = strawberry.enum(enums.CaseStatus, description="Support case workflow status.")
CasePriority = strawberry.enum(enums.CasePriority, description="How urgent a case is.")
CaseOrigin = strawberry.enum(enums.CaseOrigin, description="The channel a case came in through.")
CampaignStatus = strawberry.enum(enums.CampaignStatus, description="Campaign workflow status.")
CampaignType = strawberry.enum(enums.CampaignType, description="The kind of campaign.")
ActivityType = strawberry.enum(enums.ActivityType, description="The kind of activity.")
UserRole = strawberry.enum(enums.UserRole, description="What a user does in the CRM.")
