"""Which record a global id names, for `node(id:)` and `nodes(ids:)`."""

from __future__ import annotations

from db.base import RecordMixin
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
    StageChange,
    User,
)
from resolvers import global_ids

NODE_MODELS: dict[str, type[RecordMixin | StageChange]] = {
    model.__name__: model
    for model in (
        Account,
        Activity,
        Campaign,
        Case,
        Contact,
        Lead,
        Opportunity,
        OpportunityLineItem,
        Product,
        StageChange,
        User,
    )
}


def decode_node_id(global_id: str) -> tuple[type[RecordMixin | StageChange], int] | None:
    decoded = global_ids.decode(global_id)
    if decoded is None or decoded[0] not in NODE_MODELS:
        return None
    return NODE_MODELS[decoded[0]], decoded[1]
