"""A `RestRoute` checked against the schema once at start-up: its document parsed and validated, its
variables sorted into path, query and body, and the GraphQL field it calls looked up."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLInputType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    NonNullTypeNode,
    OperationDefinitionNode,
    get_named_type,
    is_leaf_type,
    is_object_type,
    parse,
    type_from_ast,
    validate,
)
from strawberry.types.field import StrawberryField

from dialer.graphql.operations import roles_of
from dialer.graphql.permissions import Role
from dialer.rest_compat.table import RestRoute

_SPREAD = re.compile(r"\.\.\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_PATH_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")


@dataclass(frozen=True)
class Variable:
    name: str
    type: GraphQLInputType
    required: bool


@dataclass(frozen=True)
class CompiledRoute:
    route: RestRoute
    document: DocumentNode
    operation: OperationDefinitionNode
    field_name: str
    field: StrawberryField
    output_type: GraphQLNamedType
    path_params: tuple[Variable, ...]
    query_params: dict[str, Variable]  # REST name -> variable
    body: Variable | None
    upload: Variable | None
    raw: Variable | None
    headers: dict[str, Variable]  # request header (lower case) -> variable
    roles: frozenset[Role]
    csv_columns: tuple[str, ...]

    @property
    def is_mutation(self) -> bool:
        return self.operation.operation.value == "mutation"

    def rest_name(self, variable: str) -> str:
        for rest, name in self.route.rename.items():
            if name == variable:
                return rest
        return variable


def fragment_for(schema: GraphQLSchema, type_name: str, done: dict[str, str]) -> None:
    """`fragment T on T { every field }`, and those of the object types it reaches."""
    if type_name in done:
        return
    done[type_name] = ""
    graphql_type = schema.get_type(type_name)
    if not isinstance(graphql_type, GraphQLObjectType):
        raise ValueError(f"...{type_name}: not an object type")
    selections = []
    for name, field in graphql_type.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()):
            continue
        inner = get_named_type(field.type)
        if is_leaf_type(inner):
            selections.append(name)
        elif is_object_type(inner):
            fragment_for(schema, inner.name, done)
            selections.append(f"{name} {{ ...{inner.name} }}")
    done[type_name] = f"fragment {type_name} on {type_name} {{ {' '.join(selections)} }}"


def compile_route(schema: GraphQLSchema, route: RestRoute) -> CompiledRoute:
    fragments: dict[str, str] = {}
    for name in _SPREAD.findall(route.document):
        fragment_for(schema, name, fragments)
    source = route.document + "\n" + "\n".join(fragments.values())
    document = parse(source)
    errors = validate(schema, document)
    if errors:
        raise ValueError(f"{route.method} {route.path}: {errors[0].message}")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or len(operations[0].selection_set.selections) != 1:
        raise ValueError(f"{route.method} {route.path}: needs exactly one operation with one top-level field")
    operation = operations[0]
    field_name = operation.selection_set.selections[0].name.value
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
    graphql_field = root.fields[field_name]
    strawberry_field: StrawberryField = graphql_field.extensions["strawberry-definition"]
    roles = roles_of(strawberry_field)
    if roles is None:
        raise ValueError(f"{route.method} {route.path}: field {field_name} declares no roles")

    variables = {
        d.variable.name.value: Variable(
            d.variable.name.value,
            type_from_ast(schema, d.type),
            isinstance(d.type, NonNullTypeNode) and d.default_value is None,
        )
        for d in operation.variable_definitions or ()
    }
    path_names = _PATH_PARAM.findall(route.path)
    # A csv route pages through the connection itself: $first and $after are the shim's, not the client's.
    paging = {"first", "after"} if route.result == "csv" else set()
    header_names = {header.lower(): name for header, name in route.headers.items()}
    wanted = [*path_names, *(n for n in (route.body, route.upload, route.raw) if n), *paging, *header_names.values()]
    if route.formats and "format" in variables:
        raise ValueError(f"{route.method} {route.path}: `format` is the shim's parameter, not a variable")
    missing = [n for n in wanted if n not in variables]
    if missing:
        raise ValueError(f"{route.method} {route.path}: no variable for {missing}")
    taken = {*path_names, route.body, route.upload, route.raw, *paging, *header_names.values()}
    by_variable = {variable: rest for rest, variable in route.rename.items()}
    query = {by_variable.get(n, n): v for n, v in variables.items() if n not in taken}
    return CompiledRoute(
        route=route,
        document=document,
        operation=operation,
        field_name=field_name,
        field=strawberry_field,
        output_type=get_named_type(graphql_field.type),
        path_params=tuple(variables[n] for n in path_names),
        query_params=query,
        body=variables[route.body] if route.body else None,
        upload=variables[route.upload] if route.upload else None,
        raw=variables[route.raw] if route.raw else None,
        headers={header: variables[name] for header, name in header_names.items()},
        roles=roles,
        csv_columns=_csv_columns(operation, "nodes")
        if route.result == "csv"
        else _csv_columns(operation, "items")
        if "csv" in route.formats and route.stream is None
        else (),
    )


def _csv_columns(operation: OperationDefinitionNode, under: str) -> tuple[str, ...]:
    """The leaf fields selected under `nodes` (or `items`), in order: the CSV's header."""
    top = operation.selection_set.selections[0]
    nodes = next(s for s in top.selection_set.selections if isinstance(s, FieldNode) and s.name.value == under)
    return tuple(s.name.value for s in nodes.selection_set.selections if isinstance(s, FieldNode))
