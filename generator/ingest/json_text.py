"""JSON from strangers, read so that no value can crash the reader or be silently misread.

Used by the JSON Lines importer and the collector. `json.loads` alone keeps the last of a
field given twice, raises ValueError deep in the decoder on a number of thousands of digits
and RecursionError on deep nesting; `parse_json` refuses all three with a reason instead.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from generator.errors import shorten

MAX_DEPTH = 32     # a record nests three levels (object, `parameters`, a list of values)
MAX_DIGITS = 100   # no answer or time is a longer whole number; Python refuses over 4,300
# A string (escapes included), its closing quote optional: every quote starts a match that
# runs to the closing quote or the end, so each character is read once. With the quote
# required, each quote of an unterminated `\"\"\"…` rescanned the rest: 64 KB took 25 s.
_STRINGS = re.compile(r'"(?:[^"\\]++|\\.?)*+"?', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


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
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    # the running sum of +1/-1 steps, in C (accumulate, map, max): linear and fast on 64 KB
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


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
