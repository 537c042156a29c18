"""The site secret: from the environment or a git-ignored file, checked against the data folder's fingerprint.

The secret keys every personal survey link (generator/tokens.py). It is made only when asked
(`rapport init`, `rapport secret new`); a command that needs it and finds none, or finds one
whose fingerprint is not the one the data folder recorded, stops instead of making up another
(which would silently change every link already sent). README.md, section "Secrets", describes it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from generator.errors import RapportError

SECRET_ENV = "RAPPORT_SECRET"
# the dashboards' passphrase, when given in the environment (generator/safety/passphrase.py)
PASSPHRASE_ENV = "RAPPORT_DASHBOARD_PASSPHRASE"
FINGERPRINT_FILE = ".secret-fingerprint"
# The sample data folder (data/, `rapport demo`) builds with this public secret: its links are
# for trying Rapport, never for real clients, so every build says so and publish refuses it.
SAMPLE_SECRET = "rapport-sample-secret-public-never-for-real-clients"
FINGERPRINT_LABEL = b"rapport site secret fingerprint v1"
FINGERPRINT_HEADER = (
    "# Fingerprint of this data folder's site secret (not the secret itself).\n"
    "# A command run with another secret stops; change it only with `rapport secret new --replace`.\n"
)


class SecretError(RapportError):
    """The site secret is missing, or is not the one the data folder was made with (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class SiteSecret:
    """The secret in use and where it came from."""

    value: bytes
    source: str

    @property
    def is_sample(self) -> bool:
        """True for the built-in sample secret."""
        return hmac.compare_digest(self.value, SAMPLE_SECRET.encode())


def secret_file(data_dir: Path) -> Path:
    """`.rapport/secret` in the project folder (the data folder's parent)."""
    return data_dir.resolve().parent / ".rapport" / "secret"


def passphrase_file(data_dir: Path) -> Path:
    """`.rapport/dashboard-passphrase`, beside the site secret (git-ignored; generator/safety/passphrase.py)."""
    return secret_file(data_dir).parent / "dashboard-passphrase"


def key_file(data_dir: Path) -> Path:
    """`.rapport/dashboard-key.json`: salt, iterations and the sealed content key of the dashboards."""
    return secret_file(data_dir).parent / "dashboard-key.json"


def cache_folder(data_dir: Path) -> Path:
    """`.rapport/cache/`, beside the site secret: the memo of the builds of this data folder (generator/speed/cache.py)."""
    return secret_file(data_dir).parent / "cache"


def fingerprint_file(data_dir: Path) -> Path:
    """`DATA/.secret-fingerprint`."""
    return data_dir / FINGERPRINT_FILE


def fingerprint(secret: bytes) -> str:
    """16 hex digits that tell secrets apart without revealing one (a keyed hash, like the links)."""
    return hmac.new(secret, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


SAMPLE_FINGERPRINT = fingerprint(SAMPLE_SECRET.encode())


def recorded_fingerprint(data_dir: Path) -> str | None:
    """The fingerprint the data folder recorded, if any."""
    try:
        text = fingerprint_file(data_dir).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return lines[-1] if lines else None


def record_fingerprint(data_dir: Path, secret: bytes) -> Path:
    """Write `DATA/.secret-fingerprint` for this secret."""
    path = fingerprint_file(data_dir)
    path.write_text(FINGERPRINT_HEADER + fingerprint(secret) + "\n", encoding="utf-8")
    return path


def resolve_secret(data_dir: Path) -> SiteSecret:
    """The secret for `data_dir`: RAPPORT_SECRET, else the file, else (for a sample) the sample's; SecretError if none fits."""
    recorded = recorded_fingerprint(data_dir)
    found = configured_secret(data_dir)
    if found is None:
        if recorded == SAMPLE_FINGERPRINT:
            return SiteSecret(SAMPLE_SECRET.encode(), "the built-in sample secret")
        raise SecretError(_missing_message(data_dir, recorded))
    # a sample's links were never sent to anyone: a secret configured for it is simply used
    if recorded not in (None, SAMPLE_FINGERPRINT) and not hmac.compare_digest(fingerprint(found.value), recorded):
        raise SecretError(_different_message(data_dir, found, recorded))
    return found


def refuse_sample(data_dir: Path) -> SiteSecret:
    """The secret for publishing: SecretError when missing, different, or the public sample's."""
    found = resolve_secret(data_dir)
    if found.is_sample:
        raise SecretError(f"{data_dir} uses the built-in sample secret, which is public: nothing was published. "
                          f"Publish your own practice (`rapport init DIR`), or give this folder its own secret with "
                          f"`rapport secret new --replace --data {data_dir}`")
    return found


def configured_secret(data_dir: Path) -> SiteSecret | None:
    """The secret from RAPPORT_SECRET or `.rapport/secret`, unchecked; None when neither holds one."""
    from_env = os.environ.get(SECRET_ENV, "").strip()
    if from_env:
        return SiteSecret(from_env.encode(), f"the {SECRET_ENV} environment variable")
    path = secret_file(data_dir)
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return SiteSecret(text.encode(), str(path)) if text else None


def site_secret(data_dir: Path) -> bytes:
    """The HMAC key for survey tokens; SecretError (exit 2) when missing or not this folder's."""
    return resolve_secret(data_dir).value


def write_new_secret(data_dir: Path) -> SiteSecret:
    """Write a fresh random secret to `.rapport/secret` (replacing any) and record its fingerprint."""
    path = secret_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    _ignore_folder(path.parent)
    value = secrets.token_urlsafe(32)
    temporary = path.with_name(f".secret-{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    record_fingerprint(data_dir, value.encode())
    return SiteSecret(value.encode(), str(path))


def _where(data_dir: Path) -> str:
    env = "set" if os.environ.get(SECRET_ENV, "").strip() else "not set"
    path = secret_file(data_dir)
    state = "found" if path.is_file() and path.stat().st_size else "empty" if path.is_file() else "no such file"
    return f"looked in {SECRET_ENV} ({env}) and {path} ({state})"


def _missing_message(data_dir: Path, recorded: str | None) -> str:
    if recorded is None:
        return (f"no site secret for {data_dir}: {_where(data_dir)}. Restore the secret you saved (into that file, "
                f"or {SECRET_ENV}), or create one with `rapport secret new --data {data_dir}`")
    return (f"no site secret for {data_dir}: {_where(data_dir)}. Restore the secret this folder was made with "
            f"(fingerprint {recorded} in {fingerprint_file(data_dir)}) into that file or {SECRET_ENV}; "
            f"only if it is lost, make a new one with `rapport secret new --replace --data {data_dir}` "
            f"(every personal link already sent stops working)")


def _different_message(data_dir: Path, found: SiteSecret, recorded: str) -> str:
    return (f"the site secret in {found.source} is not the one {data_dir} was made with ({_where(data_dir)}; "
            f"fingerprint {fingerprint(found.value)}, expected {recorded} from {fingerprint_file(data_dir)}). "
            f"Restore the right secret, or change it on purpose with `rapport secret new --replace --data {data_dir}` "
            f"(every personal link already sent stops working)")


def _ignore_folder(folder: Path) -> None:
    """A `.gitignore` of `*` inside the folder keeps its secrets out of any repository."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
