"""How many records wait in `data/quarantine/`: refused by an import or the collector, shown so none is forgotten."""

from __future__ import annotations

import csv
from pathlib import Path

from generator.csv_text import reader

QUARANTINE_FOLDER = "quarantine"


def held_count(data_dir: Path) -> int:
    """The records (rows after each file's header) of every CSV file in `data/quarantine/`; unreadable ones count 0."""
    folder = data_dir / QUARANTINE_FOLDER
    if not folder.is_dir():
        return 0
    count = 0
    for path in sorted(folder.glob("*.csv")):
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            rows = sum(1 for row in reader(text) if row)
        except (OSError, csv.Error):
            continue
        count += max(rows - 1, 0)
    return count
