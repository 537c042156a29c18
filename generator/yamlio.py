"""Read YAML safely, keep every scalar as written, and remember each value's line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator.errors import decode_utf8

# the path to a value: mapping keys and list indexes, as in ("questions", 2, "type")
Location = tuple[str | int, ...]

_STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Data files nest a few levels; far deeper nesting (`[[[[…]]]]`) would exhaust Python's stack.
MAX_DEPTH = 64
# An alias repeats its anchor's values. A few aliases (`contact: *dana`, `<<: *defaults`) are
# handy; past this many repeated values the file is an "alias bomb" (nine levels of nine
# aliases each stand for 387 million values) and would take minutes and all memory to load.
MAX_ALIAS_VALUES = 100_000


class _TextLoader(yaml.SafeLoader):
    """A safe loader that resolves plain scalars to text, except empty and `~` (null).

    PyYAML's YAML 1.1 rules turn `00123` into 83, `NO` into False and dates into
    `date` objects; the schema converts types itself, so values survive as written.
    It also remembers the line of every alias, to say which one makes a file too large.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.alias_uses: list[tuple[int, str, yaml.Node]] = []

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        """Compose as usual; for an alias, note its line, its name and the node it stands for."""
        # types-PyYAML leaves Parser.peek_event unannotated; it returns the next event
        event: yaml.Event | None = self.peek_event() if self.check_event(yaml.AliasEvent) else None  # type: ignore[no-untyped-call]
        node = super().compose_node(parent, index)  # type: ignore[arg-type]  # PyYAML passes a node as the index of a mapping value
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None and event.anchor is not None and node is not None:
            self.alias_uses.append((event.start_mark.line + 1, event.anchor, node))
        return node


if TYPE_CHECKING:
    # the stubs type CSafeLoader apart from SafeLoader; both take the same resolvers and constructors
    _FastBase = yaml.SafeLoader
else:
    _FastBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# libyaml's parser is about ten times faster; files with problems are parsed again by the
# pure-Python one, whose messages say more ("expected <block end>, but found …")
class _FastTextLoader(_FastBase):
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


class _TooManyAliasValues(Exception):
    """libyaml's loader keeps no alias lines: the pure-Python one is asked which alias it was."""


def _parse(text: str) -> YamlDocument:
    """Parse YAML text into plain data plus a location → line map."""
    try:
        plain = _parse_plain(text)
        if plain is not None:
            return plain
        return _parse_with(_FastTextLoader, text)
    except (YamlSyntaxError, _TooManyAliasValues):
        return _parse_with(_TextLoader, text)


def _parse_with(loader_class: type, text: str) -> YamlDocument:
    """Parse with one loader class; problems become YamlSyntaxError."""
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise _too_deep(text) from None
        if node is not None:
            _check_shape(node, getattr(loader, "alias_uses", None))
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


# plain scalars PyYAML's null resolver tags as null (their constructor above keeps all but '' and '~' as text)
_NULL_WORDS = frozenset(("", "~", "null", "Null", "NULL"))


def _parse_plain(text: str) -> YamlDocument | None:
    """The document _parse_with would give, built in one pass over libyaml's events; None when not plain.

    Plain: one document of mappings, lists and untagged scalars, with scalar keys, no anchor
    or alias, nested at most MAX_DEPTH deep, and no syntax error. Composing nodes, walking
    them for the shape checks, constructing and recording lines take four times as long;
    anything else goes that way, which also words every error.
    """
    loader = _FastTextLoader(text)
    try:
        return _build_plain(loader.get_event)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


_NO_KEY = object()  # a mapping's next scalar is a key


def _build_plain(next_event: Any) -> YamlDocument | None:
    """Data, lines and repeated keys from the events, as _parse_with and _record_lines make them."""
    next_event()  # the stream's start
    if type(next_event()) is yaml.StreamEndEvent:
        return YamlDocument(None, {})
    root: list[Any] = []
    lines: dict[Location, int] = {}
    duplicates: list[DuplicateKey] = []
    # open collections, innermost last: [container, its location, its keys' first lines, pending key, its text]
    stack: list[list[Any]] = [[root, (), None, _NO_KEY, ""]]
    top = stack[-1]
    while True:
        event = next_event()
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            top = stack[-1]
            continue
        if kind is yaml.DocumentEndEvent:
            break
        if event.anchor is not None or getattr(event, "tag", True) is not None:
            return None  # an alias, an anchor or a tag: constructed the long way
        container, parent, first_lines, key = top[0], top[1], top[2], top[3]
        if kind is yaml.ScalarEvent:
            text = event.value
            value: Any = None if event.implicit[0] and (text == "" or text == "~") else text
            if first_lines is None:  # a list item (or the document itself)
                lines.setdefault(parent + (len(container),) if stack[1:] else (), event.start_mark.line + 1)
                container.append(value)
            elif key is _NO_KEY:  # a key: its line is where its value's problems are reported
                line = event.start_mark.line + 1
                seen = (bool(event.implicit[0]) and text in _NULL_WORDS, text)
                if seen in first_lines:
                    duplicates.append(DuplicateKey(parent + (text,), line, first_lines[seen]))
                else:
                    first_lines[seen] = line
                lines[parent + (text,)] = line
                top[3], top[4] = value, text
            else:
                container[key] = value
                top[3] = _NO_KEY
            continue
        if kind is not yaml.MappingStartEvent and kind is not yaml.SequenceStartEvent:
            return None  # an alias, or a second document
        value = {} if kind is yaml.MappingStartEvent else []
        if first_lines is None:
            location: Location = parent + (len(container),) if stack[1:] else ()
            lines.setdefault(location, event.start_mark.line + 1)
            container.append(value)
        elif key is _NO_KEY:
            return None  # a list or mapping as a key
        else:
            location = parent + (top[4],)
            container[key] = value
            top[3] = _NO_KEY
        if len(stack) > MAX_DEPTH:
            return None  # too deep: the long way says where
        top = [value, location, {} if kind is yaml.MappingStartEvent else None, _NO_KEY, ""]
        stack.append(top)
    return YamlDocument(root[0], lines, tuple(duplicates)) if type(next_event()) is yaml.StreamEndEvent else None


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, message: str | None = None) -> YamlSyntaxError:
    mark = exc.problem_mark
    # at the end of the stream (an unterminated quote or bracket) the problem mark can lie
    # past the last line; where the construct opens is the line to look at
    if mark is None or (exc.context_mark is not None and mark.index >= len(text)):
        mark = exc.context_mark or mark
    line = mark.line + 1 if mark else 1
    noticed = ""
    if exc.context_mark is not None and (exc.context or "").startswith("while parsing a flow") and mark is exc.problem_mark:
        # an unclosed `[` or `{` is noticed where the next key starts, often a line later:
        # the line to fix is where the bracket opens
        if exc.context_mark.line + 1 != line:
            noticed = f" on line {line}"
        line = exc.context_mark.line + 1
    if message is None:
        message = "not valid YAML: " + (": ".join(part for part in (exc.context, exc.problem) if part) or str(exc)) + noticed
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


def _check_shape(node: yaml.Node, alias_uses: list[tuple[int, str, yaml.Node]] | None) -> None:
    """Refuse what has no plain value or would not fit: an alias inside its own collection
    (`&a [*a]`), nesting deeper than MAX_DEPTH, aliases standing for too many values.

    Walks each distinct node once, without recursion (the file may be nested thousands deep).
    `alias_uses` None (libyaml) raises _TooManyAliasValues instead of saying which alias.
    """
    size: dict[int, int] = {}      # values a node stands for, its aliases expanded
    height: dict[int, int] = {}    # levels of collections, itself included
    tallest: dict[int, yaml.Node] = {}
    open_ids: set[int] = set()
    stack: list[tuple[yaml.Node, list[yaml.Node]]] = []

    def enter(current: yaml.Node) -> None:
        if id(current) in open_ids:
            raise YamlSyntaxError(current.start_mark.line + 1,
                                  "not valid YAML: an alias refers to a collection that contains it (expected plain values)")
        if id(current) in size:
            return
        if not isinstance(current, (yaml.MappingNode, yaml.SequenceNode)):
            size[id(current)], height[id(current)] = 1, 0
            return
        children = [part for pair in current.value for part in pair] if isinstance(current, yaml.MappingNode) else list(current.value)
        open_ids.add(id(current))
        stack.append((current, children))

    enter(node)
    while stack:
        current, children = stack[-1]
        if children:
            enter(children.pop())
            continue
        stack.pop()
        open_ids.discard(id(current))
        parts = [child for pair in current.value for child in pair] if isinstance(current, yaml.MappingNode) else current.value
        size[id(current)] = 1 + sum(size[id(child)] for child in parts)
        highest = max(parts, key=lambda child: height[id(child)], default=None)
        height[id(current)] = 1 + (height[id(highest)] if highest is not None else 0)
        if highest is not None:
            tallest[id(current)] = highest
    if height[id(node)] > MAX_DEPTH:
        deep = node
        for _ in range(MAX_DEPTH):
            deep = tallest[id(deep)]
        raise YamlSyntaxError(deep.start_mark.line + 1,
                              f"not valid YAML: nested too deeply (expected at most {MAX_DEPTH} levels of lists and mappings)")
    if size[id(node)] - len(size) > MAX_ALIAS_VALUES:
        if alias_uses is None:
            raise _TooManyAliasValues()
        raise _alias_bomb(alias_uses, size)


def _alias_bomb(alias_uses: list[tuple[int, str, yaml.Node]], size: dict[int, int]) -> YamlSyntaxError:
    """The problem at the alias with which the values repeated by aliases pass MAX_ALIAS_VALUES."""
    repeated = 0
    line, anchor = alias_uses[-1][:2]
    for use_line, use_anchor, target in alias_uses:
        repeated += size[id(target)]
        if repeated > MAX_ALIAS_VALUES:
            line, anchor = use_line, use_anchor
            break
    return YamlSyntaxError(line, f"not valid YAML: with the alias *{anchor} the file's aliases repeat more than "
                                 f"{MAX_ALIAS_VALUES:,} values (expected values written out, or fewer aliases)")


def _too_deep(text: str) -> YamlSyntaxError:
    """The problem at the first collection nested deeper than MAX_DEPTH (read event by event, without recursion)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_TextLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark is not None else 1
                    return YamlSyntaxError(line, "not valid YAML: nested too deeply "
                                           f"(expected at most {MAX_DEPTH} levels of lists and mappings)")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return YamlSyntaxError(1, f"not valid YAML: nested too deeply (expected at most {MAX_DEPTH} levels of lists and mappings)")


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
