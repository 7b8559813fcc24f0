"""Input constraints, declared once on the input type's fields and used twice: enforced here on every
mutation's inputs, and emitted into the OpenAPI document (keys are JSON Schema's own)."""

from __future__ import annotations

import re
from typing import Annotated, Any

import strawberry
from strawberry.types.base import has_object_definition
from strawberry.utils.str_converters import to_camel_case

CONSTRAINTS = "constraints"
# No text anywhere may hold a NUL (PostgreSQL cannot store one); the OpenAPI document says so with
# these patterns. NOT_BLANK also needs a character that is not white space, with ECMA 262's white
# space (Python's \s also counts \x1c-\x1f), so the document and this validator agree.
TEXT = "^[^\u0000]*$"
_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NOT_BLANK = f"^[^\u0000]*[^{_SPACE}\u0000][^\u0000]*$"


class _Text:
    """`Text[100]`: an optional text argument of at most 100 characters (filters match columns that long)."""

    def __getitem__(self, length: int) -> Any:
        return Annotated[str | None, strawberry.argument(metadata={CONSTRAINTS: {"maxLength": length}})]


Text = _Text()


def constrained(description: str | None, default: Any = strawberry.UNSET, **constraints: Any) -> Any:
    """An input field with JSON Schema constraints: minimum, exclusiveMinimum, maximum, minLength,
    maxLength, pattern, enum (of strings), minItems, maxItems, uniqueItems, items (rules for each item),
    maxProperties."""
    return strawberry.field(description=description, default=default, metadata={CONSTRAINTS: constraints})


def _ecma(pattern: str) -> str:
    # In JSON Schema (ECMA 262) "$" ends the string; in Python it also matches before a final newline.
    return pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern


def _problem(value: Any, rules: dict[str, Any]) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in rules and value < rules["minimum"]:
            return f"must be at least {rules['minimum']}"
        if "exclusiveMinimum" in rules and value <= rules["exclusiveMinimum"]:
            return f"must be greater than {rules['exclusiveMinimum']}"
        if "maximum" in rules and value > rules["maximum"]:
            return f"must be at most {rules['maximum']}"
    if isinstance(value, str):
        if "\x00" in value:
            return "must not contain NUL characters"
        if "enum" in rules and value not in rules["enum"]:
            return "must be one of " + ", ".join(rules["enum"])
        if "minLength" in rules and len(value) < rules["minLength"]:
            return (
                "must not be empty"
                if rules["minLength"] == 1
                else f"must have at least {rules['minLength']} characters"
            )
        if "maxLength" in rules and len(value) > rules["maxLength"]:
            return f"must have at most {rules['maxLength']} characters"
        # JSON Schema semantics: a pattern is searched, so anchor it (^...$) to match the whole value.
        if "pattern" in rules and not re.search(_ecma(rules["pattern"]), value):
            return "must not be blank" if rules["pattern"] == NOT_BLANK else f"must match {rules['pattern']}"
    if isinstance(value, list) and "minItems" in rules and len(value) < rules["minItems"]:
        return f"must have at least {rules['minItems']} item{'s' if rules['minItems'] > 1 else ''}"
    if isinstance(value, list) and "maxItems" in rules and len(value) > rules["maxItems"]:
        return f"must have at most {rules['maxItems']} items"
    if isinstance(value, list) and rules.get("uniqueItems") and len(set(map(repr, value))) != len(value):
        return "must not list the same item twice"
    if isinstance(value, dict) and "maxProperties" in rules and len(value) > rules["maxProperties"]:
        return f"must have at most {rules['maxProperties']} entries"
    return None


def problems_of(value: Any, path: str = "", rules: dict[str, Any] | None = None) -> dict[str, str]:
    """Every constraint a value (an argument, an input object) breaks, keyed by field path. Null is
    never a meaningful input field value here: an optional field is omitted, not set to null."""
    found: dict[str, str] = {}
    problem = _problem(value, rules or {})
    if problem:
        found[path] = problem
    if isinstance(value, list):
        for index, item in enumerate(value):
            found.update(problems_of(item, f"{path}[{index}]", (rules or {}).get("items")))
        return found
    if not has_object_definition(value):
        return found
    for field in value.__strawberry_definition__.fields:
        item = getattr(value, field.python_name)
        own = field.graphql_name or to_camel_case(field.python_name)
        name = f"{path}.{own}" if path else own
        if item is strawberry.UNSET:
            continue
        if item is None:
            found[name] = "must not be null (omit the field to leave it unchanged)"
            continue
        found.update(problems_of(item, name, field.metadata.get(CONSTRAINTS, {})))
    return found
