"""Which plotly.js the dashboards ship: the official basic bundle when set up, else the full one.

The plotly Python package ships only the full plotly.js (4.8 MB), which caps Lighthouse
performance well below the budget. The official `plotly.js-basic-dist-min` npm package of the
same version (scatter, bar and pie: all our charts need) is a quarter of that. `make site` runs
`python -m generator.charts.bundle` once: it downloads that package's tarball from the npm
registry with plain HTTPS (no Node.js needed), checks the tarball's sha512 against the npm
integrity value, and caches the script inside the virtual environment. Offline, it says so and
the build keeps using the full bundle.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import plotly

PACKAGE = "plotly.js-basic-dist-min"
REGISTRY = "https://registry.npmjs.org"
MEMBER = "package/plotly-basic.min.js"
# npm's `dist.integrity` of the tarballs we know (npm view plotly.js-basic-dist-min@4.1.1 dist)
PINNED_INTEGRITY = {
    "4.1.1": "sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ==",
}
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Bundle:
    """The plotly.js script the dashboards load, and which one it is."""

    script: bytes
    name: str  # e.g. "plotly.js-basic-dist-min 4.1.1" or "plotly.js 4.1.1 (full)"


def plotlyjs_version() -> str:
    """The plotly.js version bundled with the installed plotly Python package."""
    from plotly.offline import get_plotlyjs_version

    return str(get_plotlyjs_version())


def cache_path(version: str | None = None) -> Path:
    """Where the basic bundle of this plotly.js version is cached: inside the active environment."""
    return Path(sys.prefix) / "share" / "rapport" / f"{PACKAGE}-{version or plotlyjs_version()}.min.js"


def full_bundle_path() -> Path:
    """The full plotly.min.js of the plotly Python package."""
    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def dashboard_bundle() -> Bundle:
    """The cached basic bundle when `make site` fetched it, else the full bundle (always present)."""
    version = plotlyjs_version()
    cached = cache_path(version)
    if cached.is_file():
        return Bundle(cached.read_bytes(), f"{PACKAGE} {version}")
    return Bundle(full_bundle_path().read_bytes(), f"plotly.js {version} (full)")


def integrity_of(version: str) -> str:
    """The npm integrity string of the tarball: pinned, else from the registry over HTTPS."""
    if version in PINNED_INTEGRITY:
        return PINNED_INTEGRITY[version]
    import urllib.request  # only when fetching: a build never downloads (0.03 s of every start-up)

    with urllib.request.urlopen(f"{REGISTRY}/{PACKAGE}/{version}", timeout=TIMEOUT_SECONDS) as reply:
        return str(json.load(reply)["dist"]["integrity"])


def check_integrity(tarball: bytes, integrity: str) -> None:
    """Raise ValueError unless the tarball matches an npm `sha512-…` integrity string."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise ValueError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if actual != expected:
        raise ValueError(f"the downloaded {PACKAGE} tarball does not match its sha512 integrity")


def script_from_tarball(tarball: bytes) -> bytes:
    """The minified script inside the npm tarball (read by name; nothing is extracted to disk)."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise ValueError(f"{MEMBER} is missing from the {PACKAGE} tarball")
        return member.read()


def fetch(version: str | None = None) -> Path:
    """Download, verify and cache the basic bundle; return its path (already cached: no download)."""
    version = version or plotlyjs_version()
    target = cache_path(version)
    if target.is_file():
        return target
    url = f"{REGISTRY}/{PACKAGE}/-/{PACKAGE}-{version}.tgz"
    import urllib.request  # only when fetching (see integrity_of)

    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as reply:
        tarball = reply.read()
    check_integrity(tarball, integrity_of(version))
    script = script_from_tarball(tarball)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(script)
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    """`python -m generator.charts.bundle [--stamp FILE]`: fetch the basic bundle; never fails the build."""
    parser = argparse.ArgumentParser(description="Fetch the official plotly.js basic bundle for the dashboards.")
    parser.add_argument("--stamp", type=Path, help="touch this file once the bundle is cached")
    options = parser.parse_args(argv)
    version = plotlyjs_version()
    try:
        path = fetch(version)
    except (OSError, ValueError, KeyError, tarfile.TarError) as error:
        print(f"note: could not fetch {PACKAGE} {version} ({error}); the dashboards will load the full "
              f"plotly.js bundle ({full_bundle_path().stat().st_size / 1e6:.1f} MB), which is slower. "
              "Run make site again when online.", file=sys.stderr)
        return 0
    print(f"plotly.js for the dashboards: {PACKAGE} {version} ({path.stat().st_size / 1e6:.2f} MB, sha512 checked)")
    if options.stamp:
        options.stamp.touch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
