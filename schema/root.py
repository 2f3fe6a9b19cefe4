"""The schema: every domain's Query and Mutation merged, plus `node` and `nodes`."""

import asyncio
from typing import Any

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from resolvers.errors import BadRequestError
from resolvers.nodes import decode_node_id
from schema.accounts import Account, AccountMutation, AccountQuery
from schema.activities import Activity, ActivityMutation, ActivityQuery
from schema.campaigns import Campaign, CampaignMutation, CampaignQuery
from schema.cases import Case, CaseMutation, CaseQuery, SlaQuery
from schema.contacts import Contact, ContactMutation, ContactQuery
from schema.extensions import EXTENSIONS
from schema.leads import Lead, LeadMutation, LeadQuery
from schema.lifecycle import LifecycleQuery, LifecycleSubscription, StageChange
from schema.metrics import MetricsQuery
from schema.opportunities import (
    Opportunity,
    OpportunityLineItem,
    OpportunityMutation,
    OpportunityQuery,
)
from schema.products import Product, ProductMutation, ProductQuery
from schema.relay import Node
from schema.search import SearchQuery
from schema.selection import record_columns
from schema.users import User, UserMutation, UserQuery

MAX_NODES = 100


async def _load_node(info: Info, global_id: str) -> Any:
    decoded = decode_node_id(global_id)
    if decoded is None:
        return None
    model, pk = decoded
    columns = record_columns(info, model.__name__)
    return await info.context.loaders.by_id(model, columns).load(pk)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any record of your workspace by its global id; null otherwise.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _load_node(info, id)

    @strawberry.field(
        description=f"Records by global ids, in the same order; null where an id resolves to "
        f"nothing in your workspace. At most {MAX_NODES} ids."
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadRequestError(f"`ids` takes at most {MAX_NODES} ids; got {len(ids)}.")
        # Loaded together, so that the DataLoaders batch them into one query per type.
        return list(await asyncio.gather(*(_load_node(info, global_id) for global_id in ids)))


Query = merge_types(
    "Query",
    (
        NodeQuery,
        AccountQuery,
        ContactQuery,
        LeadQuery,
        OpportunityQuery,
        ProductQuery,
        CaseQuery,
        CampaignQuery,
        ActivityQuery,
        UserQuery,
        LifecycleQuery,
        SlaQuery,
        SearchQuery,
        MetricsQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        ContactMutation,
        LeadMutation,
        OpportunityMutation,
        ProductMutation,
        CaseMutation,
        CampaignMutation,
        ActivityMutation,
        UserMutation,
    ),
)


class CrmSchema(strawberry.Schema):
    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        # MaskUnexpectedErrors logs what matters, with the request id; no second log here.
        return


schema = CrmSchema(
    query=Query,
    mutation=Mutation,
    subscription=merge_types("Subscription", (LifecycleSubscription,)),
    types=[
        Account,
        Contact,
        Lead,
        Opportunity,
        OpportunityLineItem,
        Product,
        Case,
        Campaign,
        Activity,
        User,
        StageChange,
    ],
    extensions=EXTENSIONS,
)
