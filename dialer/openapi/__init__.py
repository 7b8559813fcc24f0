"""The OpenAPI 3.1 document of REST v1, generated from the route table and the GraphQL schema."""

from dialer.openapi.document import build_document

__all__ = ["build_document"]
