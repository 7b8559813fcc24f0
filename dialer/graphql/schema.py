"""The schema: every domain's queries and mutations composed into one."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from tortoise.exceptions import ValidationError

from dialer.graphql.audit import AuditMutation, AuditQuery
from dialer.graphql.callcenter.schema import CallcenterMutation, CallcenterQuery
from dialer.graphql.campaigns import CampaignMutation, CampaignQuery
from dialer.graphql.cdr.schema import CdrMutation, CdrQuery
from dialer.graphql.dnc.schema import DncMutation, DncQuery
from dialer.graphql.errors import BadRequest, DialerError
from dialer.graphql.integrations.schema import IntegrationMutation, IntegrationQuery
from dialer.graphql.leads.schema import LeadMutation, LeadQuery, LeadSubscription
from dialer.graphql.live.schema import LiveSubscription
from dialer.graphql.providers.schema import ProviderMutation, ProviderQuery
from dialer.graphql.reports.schema import ReportQuery
from dialer.graphql.scalars import SCALAR_MAP


@strawberry.type
class Query(
    CampaignQuery,
    LeadQuery,
    DncQuery,
    AuditQuery,
    CallcenterQuery,
    ProviderQuery,
    CdrQuery,
    IntegrationQuery,
    ReportQuery,
):
    pass


@strawberry.type
class Mutation(
    CampaignMutation,
    LeadMutation,
    DncMutation,
    AuditMutation,
    CallcenterMutation,
    ProviderMutation,
    CdrMutation,
    IntegrationMutation,
):
    pass


@strawberry.type
class Subscription(LeadSubscription, LiveSubscription):
    pass


class DialerSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            tag_error(error)
        super().process_errors(errors, execution_context)


def tag_error(error: GraphQLError) -> dict[str, Any]:
    """Give every GraphQL error a contract code: ours carry one; syntax, validation and variable
    errors are the client's (bad_request); anything else is ours (server_error)."""
    original = error.original_error
    if isinstance(original, ValidationError):  # a value the ORM refuses (e.g. longer than its column)
        error.original_error = original = BadRequest(str(original))
    if isinstance(original, DialerError):
        error.extensions = original.extensions
    elif original is None or isinstance(original, GraphQLError):
        error.extensions = {**(error.extensions or {}), "code": "bad_request"}
    else:
        error.extensions = {"code": "server_error"}
    return error.extensions


def build_schema() -> DialerSchema:
    return DialerSchema(
        query=Query, mutation=Mutation, subscription=Subscription, config=StrawberryConfig(scalar_map=SCALAR_MAP)
    )


schema = build_schema()
