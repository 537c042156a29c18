"""The plotly.js the dashboards ship: the sha512-checked basic bundle when set up, else the full one."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.charts import bundle


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def integrity(content: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(content).digest()).decode()


def test_the_tarball_must_match_its_integrity() -> None:
    good = tarball({bundle.MEMBER: b"/* plotly */"})
    bundle.check_integrity(good, integrity(good))
    with pytest.raises(ValueError, match="does not match"):
        bundle.check_integrity(good + b"x", integrity(good))
    with pytest.raises(ValueError, match="unsupported"):
        bundle.check_integrity(good, "sha1-" + integrity(good)[7:])
    assert bundle.script_from_tarball(good) == b"/* plotly */"
    with pytest.raises(KeyError):
        bundle.script_from_tarball(tarball({"package/other.js": b""}))


def test_the_pinned_version_is_the_one_the_plotly_package_bundles() -> None:
    assert bundle.plotlyjs_version() in bundle.PINNED_INTEGRITY


def test_fetch_verifies_and_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    content = tarball({bundle.MEMBER: b"/* basic */"})
    monkeypatch.setattr(bundle, "cache_path", lambda version=None: tmp_path / "share" / f"basic-{version}.js")
    monkeypatch.setattr(bundle, "PINNED_INTEGRITY", {"9.9.9": integrity(content)})
    fetched: list[str] = []

    class Reply(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: fetched.append(url) or Reply(content))
    path = bundle.fetch("9.9.9")
    assert path.read_bytes() == b"/* basic */"
    assert fetched == [f"{bundle.REGISTRY}/{bundle.PACKAGE}/-/{bundle.PACKAGE}-9.9.9.tgz"]
    bundle.fetch("9.9.9")
    assert len(fetched) == 1  # cached: no second download


def test_offline_the_build_says_so_and_uses_the_full_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setattr(bundle, "cache_path", lambda version=None: tmp_path / "missing.js")

    def offline(url: str, timeout: float):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    stamp = tmp_path / "stamp"
    assert bundle.main(["--stamp", str(stamp)]) == 0
    assert "could not fetch plotly.js-basic-dist-min" in capsys.readouterr().err
    assert not stamp.exists()  # so the next make tries again
    chosen = bundle.dashboard_bundle()
    assert chosen.name.endswith("(full)")
    assert chosen.script == bundle.full_bundle_path().read_bytes()
