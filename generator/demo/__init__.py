"""The sample portfolio behind `rapport demo`, split by what it makes.

`sample` writes the folder; `clients`, `contacts` and `responses` draw the records;
`surveys` and `pages` are the fixed files; `wording` is what everyone says; `dates` and
`files` are the calendar and the file encodings they share.
"""

from __future__ import annotations

from generator.demo.clients import STORY_ROLES
from generator.demo.files import yaml_bytes
from generator.demo.sample import DemoCounts, write_demo

# the name the YAML writer had before the split; tests check it round-trips tricky strings
_yaml = yaml_bytes

__all__ = ["STORY_ROLES", "DemoCounts", "write_demo"]
