"""Integration queries and mutations: thin resolvers over `service`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from dialer.graphql.integrations import service
from dialer.graphql.integrations.types import Checklist, EslSuggestInput, EslSuggestion, FileDocument, GuideInput
from dialer.graphql.operations import mutation, query
from dialer.graphql.permissions import ADMIN, OPERATE, Role
from dialer.graphql.validation import CONSTRAINTS

FS_NODES = frozenset({Role.integration, Role.admin})


@strawberry.type
class IntegrationQuery:
    @query(roles=OPERATE)
    async def fs_notes(self, info: strawberry.Info) -> Checklist:
        """A checklist of the FreeSWITCH connection, each item judged from live state."""
        return await service.checklist(info.context)

    @query(roles=ADMIN)
    async def fs_esl_suggest(self, info: strawberry.Info, input: EslSuggestInput) -> EslSuggestion:
        """event_socket.conf.xml and ACL snippets admitting the given controller addresses."""
        return service.esl_suggest(input)

    @query(roles=FS_NODES)
    async def fs_configuration(
        self,
        info: strawberry.Info,
        body: Annotated[
            str,
            strawberry.argument(
                description="mod_xml_curl's form post (section, key_name, key_value, ...).",
                metadata={CONSTRAINTS: {"maxLength": 65_536}},
            ),
        ],
    ) -> FileDocument:
        """mod_xml_curl's configuration binding: callcenter.conf for the dialer's queues, agents and tiers."""
        return await service.configuration(body, info.context)


@strawberry.type
class IntegrationMutation:
    @mutation(roles=ADMIN, action="integration.fs_guide")
    async def fs_guide(
        self,
        info: strawberry.Info,
        input: GuideInput | None = None,
        accept: Annotated[
            str | None,
            strawberry.argument(
                description="application/zip for the zip, else markdown.", metadata={CONSTRAINTS: {"maxLength": 255}}
            ),
        ] = None,
    ) -> FileDocument:
        """A step-by-step guide to connect a FreeSWITCH node: markdown, or a zip with every config file."""
        document = await service.guide(input, accept, info.context)
        info.context.audit.target("integration", "freeswitch", format=document.content_type)
        return document
