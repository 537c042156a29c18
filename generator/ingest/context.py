"""What intake needs to know about `data/`: surveys, client ids, the site secret, the time trap.

Only the YAML files are read (not the response or contact tables), and a long-running
collector re-reads them only when one of them changes. A survey file with problems does
not stop intake: its records are quarantined with those problems as the reason.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import Problem, did_you_mean
from generator.keys import site_secret
from generator.load.yaml_files import load_clients, load_settings, load_surveys
from generator.model import CADENCE_MONTHS, Settings, Survey


@dataclass(frozen=True)
class IntakeContext:
    """The parts of the data folder every incoming record is checked against."""

    data_dir: Path
    surveys: dict[str, Survey]
    client_ids: frozenset[str]
    secret: bytes
    settings: Settings | None
    problems: tuple[Problem, ...] = ()
    # client id → (agreement start, survey cadence in months): what a survey round is (metrics/rounds.py)
    rounds: Mapping[str, tuple[dt.date, int]] = field(default_factory=dict)

    @property
    def min_seconds(self) -> int:
        """The time trap: a form sent sooner than this after it was shown is refused."""
        return self.settings.forms.min_seconds if self.settings else 3

    def unknown_survey_detail(self, survey_id: str) -> str:
        """Why `survey_id` is not a survey we can accept answers for."""
        if not survey_id:
            return "no survey id was sent"
        broken = [str(p) for p in self.problems if Path(p.path).name in (f"{survey_id}.yaml", f"{survey_id}.yml")]
        if broken:
            return f"surveys/{survey_id}.yaml has problems: " + "; ".join(broken)
        return f"no survey '{survey_id[:60]}' in surveys/{did_you_mean(survey_id, self.surveys)}"


def load_context(data_dir: Path) -> IntakeContext:
    """Read site.yaml, clients.yaml and surveys/ (problems are kept, not raised)."""
    shown = str(data_dir).rstrip("/")
    problems: list[Problem] = []
    settings = load_settings(data_dir / "site.yaml", f"{shown}/site.yaml", problems)
    clients, client_ids = load_clients(data_dir / "clients.yaml", f"{shown}/clients.yaml", problems)
    cadence = settings.targets.survey_cadence if settings else "annual"
    rounds = {client.id: (client.agreement.start, CADENCE_MONTHS[client.survey_cadence or cadence]) for client in clients}
    surveys = load_surveys(data_dir / "surveys", f"{shown}/surveys", problems)
    return IntakeContext(
        data_dir=data_dir, surveys={survey.id: survey for survey in surveys},
        client_ids=frozenset(client_ids), secret=site_secret(data_dir), settings=settings,
        problems=tuple(problems), rounds=rounds,
    )


class ContextCache:
    """`load_context` again only when a YAML file it reads has changed."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._signature: tuple[object, ...] | None = None
        self._context: IntakeContext | None = None

    def get(self) -> IntakeContext:
        """The current context."""
        with self._lock:
            signature = self._signature_now()
            if self._context is None or signature != self._signature:
                self._context = load_context(self.data_dir)
                self._signature = signature
            return self._context

    def _signature_now(self) -> tuple[object, ...]:
        paths = [self.data_dir / "site.yaml", self.data_dir / "clients.yaml"]
        folder = self.data_dir / "surveys"
        if folder.is_dir():
            paths += sorted(folder.iterdir())
        stamps: list[tuple[object, ...]] = []
        for path in paths:
            try:
                stat = path.stat()
            except FileNotFoundError:
                stamps.append((str(path), None))
                continue
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino))
        return tuple(stamps)
