"""Read YAML safely, keep every scalar as written, and remember each value's line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import decode_utf8

Location = tuple[Any, ...]

_STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _TextLoader(yaml.SafeLoader):
    """A safe loader that resolves plain scalars to text, except empty and `~` (null).

    PyYAML's YAML 1.1 rules turn `00123` into 83, `NO` into False and dates into
    `date` objects; the schema converts types itself, so values survive as written.
    """


# libyaml's parser is about ten times faster; files with problems are parsed again by the
# pure-Python one, whose messages say more ("expected <block end>, but found …")
class _FastTextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same rules as _TextLoader on libyaml's parser."""


def _construct_null(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str | None:
    value = loader.construct_scalar(node)
    # only an empty value or `~` means "no value"; `null` or `None` written as text stay text
    return None if value in ("", "~") else value


for _loader in (_TextLoader, _FastTextLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_constructor("tag:yaml.org,2002:null", _construct_null)


@dataclass(frozen=True)
class DuplicateKey:
    """A key written a second time in one mapping (PyYAML keeps the later value silently)."""

    location: Location
    line: int
    first_line: int


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file with the line of every mapping key and value, and any repeated keys."""

    data: Any
    lines: dict[Location, int]
    duplicates: tuple[DuplicateKey, ...] = ()

    def line_of(self, location: Location) -> int:
        """Line of the deepest known node on the location path (1 when none is known)."""
        for depth in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:depth]))
            if line is not None:
                return line
        return 1


class YamlSyntaxError(Exception):
    """A YAML file could not be read; carries the line and the message to print for it.

    The message keeps the parser's own words (`not valid YAML: …`), or says which tag
    is not allowed.
    """

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"{line}: {message}")


def read_yaml(path: Path) -> YamlDocument:
    """Parse one UTF-8 YAML file into plain data plus a location → line map.

    Raises YamlSyntaxError, or UnicodeDecodeError for the whole file's bytes
    (see `generator.errors.not_utf8`).
    """
    return _parse(decode_utf8(path.read_bytes()))


def _parse(text: str) -> YamlDocument:
    """Parse YAML text into plain data plus a location → line map."""
    try:
        return _parse_with(_FastTextLoader, text)
    except (YamlSyntaxError, RecursionError):
        return _parse_with(_TextLoader, text)


def _parse_with(loader_class: type, text: str) -> YamlDocument:
    """Parse with one loader class; problems become YamlSyntaxError."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_no_recursion(node, set(), set())
        data = loader.construct_document(node) if node is not None else None
    except yaml.constructor.ConstructorError as exc:
        raise _syntax_error(exc, text, _tag_message(exc)) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[Location, int] = {}
    duplicates: list[DuplicateKey] = []
    if node is not None:
        _record_lines(node, (), lines, duplicates)
    return YamlDocument(data, lines, tuple(duplicates))


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, message: str | None = None) -> YamlSyntaxError:
    mark = exc.problem_mark
    # at the end of the stream (an unterminated quote or bracket) the problem mark can lie
    # past the last line; where the construct opens is the line to look at
    if mark is None or (exc.context_mark is not None and mark.index >= len(text)):
        mark = exc.context_mark or mark
    line = mark.line + 1 if mark else 1
    if message is None:
        message = "not valid YAML: " + (": ".join(part for part in (exc.context, exc.problem) if part) or str(exc))
    return YamlSyntaxError(line, message)


def _tag_message(exc: yaml.constructor.ConstructorError) -> str | None:
    """`tag '!!python/…' is not allowed (…)` for a tag the safe loader has no constructor for."""
    match = re.search(r"could not determine a constructor for the tag '([^']*)'", exc.problem or "")
    if match is None:
        return None
    tag = match.group(1)
    shown = "!!" + tag.removeprefix(_STANDARD_TAG_PREFIX) if tag.startswith(_STANDARD_TAG_PREFIX) else tag
    if shown.startswith("!!python/"):
        return f"tag '{shown}' is not allowed (data files cannot contain code; remove the tag)"
    return f"tag '{shown}' is not allowed (data files hold plain values; remove the tag)"


def _check_no_recursion(node: yaml.Node, open_nodes: set[int], done: set[int]) -> None:
    """Refuse an alias to a collection that contains it (`&a [*a]`): it has no plain value."""
    if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) or id(node) in done:
        return
    if id(node) in open_nodes:
        raise YamlSyntaxError(node.start_mark.line + 1,
                              "not valid YAML: an alias refers to a collection that contains it (expected plain values)")
    open_nodes.add(id(node))
    children = (part for pair in node.value for part in pair) if isinstance(node, yaml.MappingNode) else node.value
    for child in children:
        _check_no_recursion(child, open_nodes, done)
    open_nodes.discard(id(node))
    done.add(id(node))


def _record_lines(
    node: yaml.Node, location: Location, lines: dict[Location, int], duplicates: list[DuplicateKey],
    seen: set[int] | None = None,
) -> None:
    seen = set() if seen is None else seen
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in seen:
            # an alias of a collection already walked: its parts are reported where it is used
            return
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            key_line = key_node.start_mark.line + 1
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                if (key_node.tag, key) in first_lines:
                    duplicates.append(DuplicateKey(location + (key,), key_line, first_lines[(key_node.tag, key)]))
                first_lines.setdefault((key_node.tag, key), key_line)
            # a key's problems are reported on the key's own line (for a repeated key, the
            # later one: its value is the one loaded)
            lines[location + (key,)] = key_line
            _record_lines(value_node, location + (key,), lines, duplicates, seen)
            if value_node.start_mark.line != key_node.start_mark.line:
                lines[location + (key,)] = key_line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, location + (index,), lines, duplicates, seen)
