"""How the sample's data become file bytes: YAML that reads back as written, CSV as the loaders read it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import yaml

from generator.csv_text import csv_lines


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file: the header, then the rows."""
    return csv_lines([header, *rows])


class _Dumper(yaml.SafeDumper):
    """Block mappings, short lists in flow style, multi-line text as `|` blocks, no aliases."""

    def ignore_aliases(self, data: object) -> bool:
        """Never write an alias: a reader should see every value where it applies."""
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _represent_list(dumper: yaml.SafeDumper, value: Sequence[object]) -> yaml.Node:
    flow = all(not isinstance(item, (dict, list, tuple)) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_list)


def yaml_bytes(data: object) -> bytes:
    """`data` as UTF-8 YAML, keys in their given order."""
    # SafeDumper quotes every string a YAML 1.1 reader would turn into a number, bool or date
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return text.encode("utf-8")
