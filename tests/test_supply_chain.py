"""Supply chain: every Python dependency `make` installs is pinned with hashes; workflow actions by full commit."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

LOCKS = {"requirements.lock": (), "requirements-test.lock": ("test",)}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$")


def locked(name: str) -> dict[str, tuple[str, list[str]]]:
    """Package → (version, hashes) as the lock file pins them."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = ""
    for line in (REPO / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), [])
        for digest in re.findall(r"--hash=sha256:([0-9a-f]{64})", line):
            pins[current][1].append(digest)
    return pins


def declared(extras: tuple[str, ...]) -> list[Requirement]:
    """The requirements pyproject.toml declares (with the given extras)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(text) for text in names]


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_declared_dependency_is_locked_with_hashes_inside_its_bounds(lock: str) -> None:
    pins = locked(lock)
    assert pins, f"{lock} pins nothing"
    for name, (version, hashes) in pins.items():
        assert hashes, f"{lock}: {name}=={version} has no --hash"
    for requirement in declared(LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} does not pin {requirement.name} (run make lock)"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), \
            f"{lock}: {name}=={pins[name][0]} is outside pyproject.toml's {requirement}"
    assert "setuptools" in pins, "the build backend is locked too (the editable install does not fetch one)"
    text = (REPO / lock).read_text(encoding="utf-8")
    assert "--extra-index-url" not in text and "--find-links" not in text, "no machine's own index in the lock"


def test_the_test_lock_pins_the_runtime_the_same_way() -> None:
    runtime, test = locked("requirements.lock"), locked("requirements-test.lock")
    assert {name: version for name, (version, _) in runtime.items()} == \
           {name: test[name][0] for name in runtime}


def test_make_installs_from_the_locks_with_hashes_and_rapport_without_dependencies() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock" in makefile
    assert "pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e ." in makefile
    assert "--require-hashes -r requirements-test.lock" in makefile
    installs = [line for line in makefile.splitlines() if "pip install" in line and "-e " in line]
    assert installs and all("--no-deps" in line for line in installs), "Rapport itself never brings unlocked dependencies"


def test_every_workflow_action_is_pinned_by_full_commit_with_its_tag_in_a_comment() -> None:
    found = []
    for workflow in sorted((REPO / ".github" / "workflows").glob("*.yml")):
        for number, line in enumerate(workflow.read_text(encoding="utf-8").splitlines(), start=1):
            match = USES.match(line)
            if not match:
                continue
            action, rest = match.groups()
            found.append(action)
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), f"{workflow.name}:{number}: {action} is not pinned by commit"
            assert re.fullmatch(r"\s+#\s+v\d+\.\d+\.\d+\s*", rest), f"{workflow.name}:{number}: no '# vX.Y.Z' after {action}"
    assert len(found) >= 4


def test_the_workflow_installs_from_the_lock() -> None:
    workflow = (REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert "pip install --disable-pip-version-check --require-hashes -r requirements.lock" in workflow
    assert "--no-deps --no-build-isolation -e ." in workflow
