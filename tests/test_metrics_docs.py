"""docs/metrics.md documents every threshold the metrics read and every contract field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.metrics.contract import CONTRACT_PORTFOLIO_FIELDS
from generator.metrics.table import CONTRACT_CLIENT_FIELDS
from generator.model import Targets

DOC = (Path(__file__).resolve().parent.parent / "docs" / "metrics.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", sorted(Targets.model_fields))
def test_every_target_setting_is_documented(setting: str) -> None:
    assert re.search(rf"`(targets\.)?{setting}`", DOC)


@pytest.mark.parametrize("name", sorted(set(CONTRACT_CLIENT_FIELDS) - {"id"} | set(CONTRACT_PORTFOLIO_FIELDS)))
def test_every_contract_field_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC
