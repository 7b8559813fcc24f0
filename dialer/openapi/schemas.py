"""JSON Schemas of GraphQL types: input types whole (with their declared constraints), output types
as a route's selection picks them."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLType,
    SelectionSetNode,
)
from graphql.pyutils import Undefined

from dialer.graphql.scalars import SCALAR_SCHEMAS
from dialer.graphql.validation import CONSTRAINTS, TEXT

Schema = dict[str, Any]
INT32 = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
BUILTIN = {"String": {"type": "string"}, "Int": INT32, "Float": {"type": "number"}, "Boolean": {"type": "boolean"}}


def nullable(schema: Schema) -> Schema:
    if list(schema) == ["type"] and isinstance(schema["type"], str):
        return {"type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def constraints_of(graphql_thing: Any) -> Schema:
    definition = (graphql_thing.extensions or {}).get("strawberry-definition")
    return dict(getattr(definition, "metadata", {}).get(CONSTRAINTS, {})) if definition else {}


class SchemaBuilder:
    """Collects named component schemas while it builds the ones a route refers to."""

    def __init__(self) -> None:
        self.components: dict[str, Schema] = {}

    def leaf(self, graphql_type: GraphQLType) -> Schema:
        if isinstance(graphql_type, GraphQLEnumType):
            return {"type": "string", "enum": list(graphql_type.values)}
        assert isinstance(graphql_type, GraphQLScalarType)
        return dict(BUILTIN.get(graphql_type.name) or SCALAR_SCHEMAS[graphql_type.name])

    # Inputs: a null is never accepted (an optional field is omitted), so no input schema is nullable.
    def input(self, graphql_type: GraphQLType, constraints: Schema | None = None) -> Schema:
        if isinstance(graphql_type, GraphQLNonNull):
            return self.input(graphql_type.of_type, constraints)
        if isinstance(graphql_type, GraphQLList):
            rules = dict(constraints or {})
            return {"type": "array", "items": self.input(graphql_type.of_type, rules.pop("items", None)), **rules}
        if isinstance(graphql_type, GraphQLInputObjectType):
            return self._input_object(graphql_type)
        schema = {**self.leaf(graphql_type), **(constraints or {})}
        if schema.get("type") == "string" and not {"pattern", "enum", "format", "anyOf"} & set(schema):
            schema["pattern"] = TEXT  # no NUL in any text (validation.TEXT)
        return schema

    def _input_object(self, graphql_type: GraphQLInputObjectType) -> Schema:
        name = graphql_type.name
        if name not in self.components:
            self.components[name] = {}  # reserve first: input types may refer to themselves
            properties, required = {}, []
            for field_name, field in graphql_type.fields.items():
                schema = self.input(field.type, constraints_of(field))
                if field.description:
                    schema["description"] = field.description
                if field.default_value is not Undefined and not isinstance(field.default_value, dict):
                    schema["default"] = getattr(field.default_value, "value", field.default_value)
                properties[field_name] = schema
                if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined:
                    required.append(field_name)
            component: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
            if required:
                component["required"] = required
            if graphql_type.description:
                component["description"] = graphql_type.description
            self.components[name] = component
        return {"$ref": f"#/components/schemas/{name}"}

    def output(self, graphql_type: GraphQLType, selection: SelectionSetNode | None) -> Schema:
        if isinstance(graphql_type, GraphQLNonNull):
            return self._output_non_null(graphql_type.of_type, selection)
        return nullable(self._output_non_null(graphql_type, selection))

    def _output_non_null(self, graphql_type: GraphQLType, selection: SelectionSetNode | None) -> Schema:
        if isinstance(graphql_type, GraphQLList):
            return {"type": "array", "items": self.output(graphql_type.of_type, selection)}
        if isinstance(graphql_type, GraphQLObjectType):
            assert selection is not None
            return self.selected(graphql_type, selection)
        return self.leaf(graphql_type)

    def selected(self, graphql_type: GraphQLObjectType, selection: SelectionSetNode) -> Schema:
        """A `...Type` spread selects the whole type (a named component); fields select themselves."""
        spreads = [s for s in selection.selections if isinstance(s, FragmentSpreadNode)]
        properties = {}
        for node in selection.selections:
            if isinstance(node, FieldNode):
                field = graphql_type.fields[node.name.value]
                properties[(node.alias or node.name).value] = self.output(field.type, node.selection_set)
        own = {"type": "object", "properties": properties, "required": list(properties)}
        if spreads and properties:  # the whole type plus fields it leaves out (those taking arguments)
            return {"allOf": [self.whole(graphql_type), own]}
        return self.whole(graphql_type) if spreads else own

    def whole(self, graphql_type: GraphQLObjectType) -> Schema:
        name = graphql_type.name
        if name not in self.components:
            self.components[name] = {}
            properties = {}
            for field_name, field in graphql_type.fields.items():
                if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()):
                    continue
                schema = self.whole_of(field.type)
                if field.description and "$ref" not in schema:
                    schema["description"] = field.description
                properties[field_name] = schema
            component: Schema = {"type": "object", "properties": properties, "required": list(properties)}
            if graphql_type.description:
                component["description"] = graphql_type.description
            self.components[name] = component
        return {"$ref": f"#/components/schemas/{name}"}

    def whole_of(self, graphql_type: GraphQLType) -> Schema:
        if isinstance(graphql_type, GraphQLNonNull):
            inner = graphql_type.of_type
            if isinstance(inner, GraphQLList):
                return {"type": "array", "items": self.whole_of(inner.of_type)}
            if isinstance(inner, GraphQLObjectType):
                return self.whole(inner)
            return self.leaf(inner)
        return nullable(self.whole_of(GraphQLNonNull(graphql_type)))
