"""Turn pydantic validation errors into located, plain-language problems."""

from __future__ import annotations

import reprlib
import types
import typing

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.errors import SHOWN_VALUE_LENGTH, Problem, did_you_mean, shorten
from generator.model import FieldProblem
from generator.yamlio import Location, YamlDocument


def field_path(location: Location) -> str:
    """`questions[2].type` style name for a location path."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# reprlib stops after a few entries and levels, so showing a huge list costs nothing
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = SHOWN_VALUE_LENGTH


def _show(value: object) -> str:
    return f"'{shorten(value)}'" if isinstance(value, str) else shorten(_REPR.repr(value))


def _model_at(model: type[BaseModel], location: Location) -> type[BaseModel] | None:
    """The model class that owns the last key of `location` (for 'did you mean')."""
    current: object = model
    for part in location:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return None
        current = _inner_model(fields[part].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: object) -> object:
    """Unwrap Optional[...], tuple[...] and Annotated[...] down to a model class."""
    for _ in range(5):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        args = typing.get_args(annotation)
        if not args:
            return annotation
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = args[0]
            continue
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        if origin in (typing.Union, types.UnionType, tuple, list):
            annotation = next((a for a in args if a is not type(None) and a is not Ellipsis), annotation)
            continue
        return annotation
    return annotation


# what a type error expected, for an empty value
_EXPECTED_TYPE = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "bool_type": "true or false", "bool_parsing": "true or false",
    "model_type": "key: value pairs", "model_attributes_type": "key: value pairs", "dict_type": "key: value pairs",
    "tuple_type": "a list", "list_type": "a list",
}


def _describe(error: ErrorDetails, model: type[BaseModel], location: Location) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "missing (required)"
    if value is None and kind in _EXPECTED_TYPE:
        # `name: ~` or a bare `name:` is an empty value, not the Python None
        return f"is empty (expected {_EXPECTED_TYPE[kind]})"
    if kind == "extra_forbidden":
        owner = _model_at(model, location[:-1])
        known = list(owner.model_fields) if owner else []
        expected = f" (expected one of {', '.join(known)})" if known else ""
        return f"unknown key{expected}{did_you_mean(str(location[-1]), known)}"
    if kind == "literal_error":
        choices = [c.strip().strip("'") for c in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        return f"{_show(value)} is not one of {', '.join(choices)}{did_you_mean(str(value), choices)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_show(value)} is not a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"{_show(value)} is not a number"
    if kind == "finite_number":
        return f"{_show(value)} is not a finite number (expected a number such as 1450 or 99.5)"
    if kind in ("bool_parsing", "bool_type"):
        return f"{_show(value)} is not true or false"
    if kind == "greater_than_equal":
        return f"{_show(value)} is too small (expected at least {_number(ctx.get('ge'))})"
    if kind == "less_than_equal":
        return f"{_show(value)} is too large (expected at most {_number(ctx.get('le'))})"
    if kind in ("string_too_short", "too_short"):
        return "is empty (expected a value)" if kind == "string_too_short" else "is empty (expected at least one entry)"
    if kind == "string_type":
        return f"{_show(value)} is not text (expected text)"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{_show(value)} is not a mapping (expected key: value pairs)"
    if kind in ("tuple_type", "list_type"):
        return f"{_show(value)} is not a list (expected [a, b, …])"
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} is not of the expected form (expected text matching {ctx.get('pattern')})"
    if kind == "too_long":
        return f"has too many entries (expected {ctx.get('max_length')})"
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        return message.removeprefix("Value error, ")
    return f"{_show(value)}: {error['msg']}"


def _number(bound: object) -> object:
    """A bound as written in the model: 1000000000000, not 1000000000000.0."""
    return int(bound) if isinstance(bound, float) and bound.is_integer() else bound


def _clean_location(location: tuple[int | str, ...]) -> Location:
    # pydantic inserts validator/union branch names such as 'function-after[...]' or 'int'
    return tuple(p for p in location if isinstance(p, int) or not (("[" in p and "]" in p) or p in ("int", "str", "float", "bool", "date", "none")))


def problems_from(
    exc: ValidationError,
    model: type[BaseModel],
    doc: YamlDocument,
    path: str,
    base: Location = (),
    label: str = "",
) -> list[Problem]:
    """Problems for one validated record at `base` inside a YAML document."""
    found: dict[tuple[int, str], Problem] = {}
    errors = exc.errors()
    failed = {_clean_location(error["loc"]) for error in errors}
    for error in errors:
        location = _clean_location(error["loc"])
        if error["type"] == "too_short" and any(other[:len(location)] == location and len(other) > len(location) for other in failed):
            # pydantic also calls a list short when its only entries failed: those failures say why
            continue
        raised = (error.get("ctx") or {}).get("error")
        if isinstance(raised, FieldProblem):
            # a rule of the whole record that one key breaks: reported at that key
            location += raised.key
        line = doc.line_of(base + location)
        name = field_path(location)
        if label:
            name = f"{label}.{name}" if name and not name.startswith("[") else f"{label}{name}"
        problem = Problem(path, line, name, _describe(error, model, location))
        found.setdefault((line, name), problem)
    return list(found.values())
