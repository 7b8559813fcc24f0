"""The OpenAPI document: one operation per route-table row, its schemas from the GraphQL types."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLSchema, VariableNode
from strawberry.utils.str_converters import to_camel_case

from dialer import __version__
from dialer.graphql.errors import STATUS_BY_CODE
from dialer.graphql.validation import CONSTRAINTS
from dialer.openapi.schemas import SchemaBuilder
from dialer.rest_compat.compiled import CompiledRoute

ERROR_REF = {"$ref": "#/components/schemas/Error"}
WHY = {
    400: "Invalid input: malformed or non-JSON body, unknown or wrong fields, values out of range.",
    401: "Missing, malformed, expired, revoked or badly signed bearer token.",
    403: "The token's role may not call this operation.",
    404: "No such id.",
    409: "The operation conflicts with the current state (e.g. starting a running campaign).",
    500: "A fault of the service; it is logged.",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "enum": list(STATUS_BY_CODE)},
                "message": {"type": "string"},
                "details": {"type": "object", "description": 'Which field and why: {"fields": {path: reason}}.'},
            },
        }
    },
}
HEALTH = {
    "get": {
        "operationId": "health",
        "tags": ["health"],
        "summary": "Liveness and database reachability; needs no token.",
        "security": [],
        "responses": {
            "200": {
                "description": "Up.",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["status", "database", "version"],
                            "properties": {
                                "status": {"const": "ok"},
                                "database": {"type": "string"},
                                "version": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "500": {"description": WHY[500], "content": {"application/json": {"schema": ERROR_REF}}},
        },
    }
}


def _argument_constraints(compiled: CompiledRoute, variable: str) -> dict[str, Any]:
    """The constraints declared on the field argument this variable feeds."""
    top = compiled.operation.selection_set.selections[0]
    fed = {a.value.name.value: a.name.value for a in top.arguments if isinstance(a.value, VariableNode)}
    for argument in compiled.field.arguments:
        if (argument.graphql_name or to_camel_case(argument.python_name)) == fed.get(variable):
            return dict(argument.metadata.get(CONSTRAINTS, {}))
    return {}


def _operation(builder: SchemaBuilder, compiled: CompiledRoute, root: GraphQLObjectType) -> dict[str, Any]:
    parameters = []
    for variable in compiled.path_params:
        schema = builder.input(variable.type, _argument_constraints(compiled, variable.name))
        parameters.append({"name": variable.name, "in": "path", "required": True, "schema": schema})
    for rest_name, variable in compiled.query_params.items():
        schema = builder.input(variable.type, _argument_constraints(compiled, variable.name))
        if schema.get("type") == "string":
            schema.setdefault("minLength", 1)  # the shim refuses empty values: omit the parameter instead
        parameters.append({"name": rest_name, "in": "query", "required": variable.required, "schema": schema})

    if compiled.route.formats:
        parameters.append(
            {
                "name": "format",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "string",
                    "enum": list(compiled.route.formats),
                    "default": compiled.route.formats[0],
                },
            }
        )
    graphql_field = root.fields[compiled.field_name]
    selection = compiled.operation.selection_set.selections[0].selection_set
    media = "application/json"
    if compiled.route.result == "file":
        media = "*/*"
        result = {
            "type": "string",
            "format": "binary",
            "description": "The file itself; its type by the Accept header.",
        }
    elif compiled.route.result == "csv":
        media = "text/csv"
        result = {"type": "string", "description": f"CSV with a header row: {', '.join(compiled.csv_columns)}."}
    elif compiled.route.result == "page":
        node_type = graphql_field.type.of_type if isinstance(graphql_field.type, GraphQLNonNull) else graphql_field.type
        nodes = node_type.fields["nodes"]
        result = {
            "type": "object",
            "required": ["items", "next"],
            "properties": {
                "items": builder.whole_of(nodes.type),
                "next": {"type": ["string", "null"], "description": "Cursor of the next page; null on the last."},
            },
        }
    else:
        result = builder.output(graphql_field.type, selection)

    statuses = [400, 401, 403]
    if compiled.path_params:
        statuses.append(404)
    if compiled.is_mutation:
        statuses.append(409)
    statuses.append(500)
    content = {media: {"schema": result}}
    if "csv" in compiled.route.formats:
        columns = ", ".join(compiled.csv_columns) or "the fields of the JSON items"
        how = "streamed" if compiled.route.stream else "sent"
        content["text/csv"] = {
            "schema": {"type": "string", "description": f"format=csv: {how}, header row: {columns}."}
        }
    responses: dict[str, Any] = {str(compiled.route.status): {"description": "Success.", "content": content}}
    for status in statuses:
        responses[str(status)] = {"description": WHY[status], "content": {"application/json": {"schema": ERROR_REF}}}

    description = compiled.field.description or ""
    operation: dict[str, Any] = {
        "operationId": compiled.field_name,
        "tags": [compiled.route.tag],
        "summary": description.split("\n")[0],
        "description": f"{description}\n\nRoles: {', '.join(sorted(r.value for r in compiled.roles))}. "
        f"GraphQL: `{compiled.field_name}`.",
        "parameters": parameters,
        "responses": responses,
        "x-graphql-field": compiled.field_name,
        "x-roles": sorted(r.value for r in compiled.roles),
    }
    if compiled.upload is not None:
        part = compiled.upload.name
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {part: {"type": "string", "format": "binary"}},
                        "required": [part],
                        "additionalProperties": False,
                    }
                }
            },
        }
    for header, variable in compiled.headers.items():
        if header not in ("content-type", "accept"):  # those two are the media types' business
            parameters.append(
                {"name": header, "in": "header", "required": False, "schema": builder.input(variable.type)}
            )
    if compiled.raw is not None:
        content = compiled.route.raw_media or {
            "application/json": {"schema": {"type": "object"}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            "text/plain": {"schema": {"type": "string"}},
        }
        operation["requestBody"] = {"required": True, "content": dict(content)}
    if compiled.body is not None:
        operation["requestBody"] = {
            "required": not compiled.route.optional_body,
            "content": {"application/json": {"schema": builder.input(compiled.body.type)}},
        }
    return operation


def build_document(schema: GraphQLSchema, routes: list[CompiledRoute]) -> dict[str, Any]:
    builder = SchemaBuilder()
    paths: dict[str, dict[str, Any]] = {"/health": HEALTH}
    for compiled in routes:
        root = schema.mutation_type if compiled.is_mutation else schema.query_type
        paths.setdefault(compiled.route.path, {})[compiled.route.method.lower()] = _operation(builder, compiled, root)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mobilitytech Dialer API v1",
            "version": __version__,
            "description": "REST projection of the GraphQL API at /graphql. Errors are always "
            '{"error": {"code", "message", "details"}}.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": {**dict(sorted(builder.components.items())), "Error": ERROR_SCHEMA},
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT or opaque (dlr_...)"}
            },
        },
    }
