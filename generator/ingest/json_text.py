"""JSON from strangers, read so that no value can crash the reader or be silently misread.

Used by the JSON Lines importer and the collector. `json.loads` alone keeps the last of a
field given twice, raises ValueError deep in the decoder on a number of thousands of digits
and RecursionError on deep nesting; `parse_json` refuses all three with a reason instead.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.errors import shorten

MAX_DEPTH = 32     # a record nests three levels (object, `parameters`, a list of values)
MAX_DIGITS = 100   # no answer or time is a longer whole number; Python refuses over 4,300
# a whole string (escapes included) or one bracket; an unterminated string leaves its brackets
# to count, which can only refuse a line json.loads would refuse anyway
_BRACKETS_OUTSIDE_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class Refused(ValueError):
    """JSON we do not read: too deeply nested, a repeated field, a giant number; `reason` is its code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def parse_json(text: str) -> Any:
    """The JSON value of the text; Refused for what json.loads would misread or die on.

    A field given twice would silently keep its last value, a number of thousands of digits
    raises a ValueError deep in the decoder, and nesting deeper than the interpreter's
    recursion limit raises RecursionError: all three are refused here with a reason.
    """
    depth = _nesting(text)
    if depth > MAX_DEPTH:
        raise Refused("bad_json", f"nested {depth:,} levels deep (at most {MAX_DEPTH})")
    return json.loads(text, object_pairs_hook=_unique_fields, parse_int=_whole_number)


def _nesting(text: str) -> int:
    """How deeply arrays and objects nest in the text (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0  # too few brackets to nest too deeply: the usual record costs two counts
    depth = deepest = 0
    for token in _BRACKETS_OUTSIDE_STRINGS.finditer(text):
        char = token.group()
        if char == "[" or char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "]" or char == "}":
            depth -= 1
    return deepest


def _unique_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in pairs:
        if key in fields:
            raise Refused("bad_json", f"duplicate field '{shorten(key, 40)}' (which of its values is meant is unknown)")
        fields[key] = value
    return fields


def _whole_number(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise Refused("bad_value", f"a whole number of {digits:,} digits (at most {MAX_DIGITS})")
    return int(text)
