"""Read YAML safely, keep every scalar as written, and remember each value's line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Location = tuple[Any, ...]


class _TextLoader(yaml.SafeLoader):
    """A safe loader that resolves plain scalars to text, except empty and `~` (null).

    PyYAML's YAML 1.1 rules turn `00123` into 83, `NO` into False and dates into
    `date` objects; the schema converts types itself, so values survive as written.
    """


for _first, _resolvers in list(_TextLoader.yaml_implicit_resolvers.items()):
    _TextLoader.yaml_implicit_resolvers[_first] = [
        (tag, regexp) for tag, regexp in _resolvers if tag == "tag:yaml.org,2002:null"
    ]


def _construct_null(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str | None:
    value = loader.construct_scalar(node)
    # only an empty value or `~` means "no value"; `null` or `None` written as text stay text
    return None if value in ("", "~") else value


_TextLoader.add_constructor("tag:yaml.org,2002:null", _construct_null)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file with the line of every mapping key and value."""

    data: Any
    lines: dict[Location, int]

    def line_of(self, location: Location) -> int:
        """Line of the deepest known node on the location path (1 when none is known)."""
        for depth in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:depth]))
            if line is not None:
                return line
        return 1


class YamlSyntaxError(Exception):
    """A YAML file could not be parsed; carries the line and the parser's own message."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"{line}: {message}")


def read_yaml(path: Path) -> YamlDocument:
    """Parse one YAML file into plain data plus a location → line map."""
    text = path.read_text(encoding="utf-8")
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(line, problem or str(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, str(exc)) from None
    finally:
        loader.dispose()
    lines: dict[Location, int] = {}
    if node is not None:
        _record_lines(node, (), lines)
    return YamlDocument(data, lines)


def _record_lines(node: yaml.Node, location: Location, lines: dict[Location, int]) -> None:
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            # a key's problems are reported on the key's own line
            lines[location + (key,)] = key_node.start_mark.line + 1
            _record_lines(value_node, location + (key,), lines)
            if value_node.start_mark.line != key_node.start_mark.line:
                lines[location + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, location + (index,), lines)
