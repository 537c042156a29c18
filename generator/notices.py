"""What `build` and `validate` say beside their result: the sample secret, rows held in quarantine."""

from __future__ import annotations

from pathlib import Path

from generator.keys import resolve_secret


def secret_notices(data_dir: Path) -> list[str]:
    """Check the site secret before a build (SecretError stops it); a warning when it is the sample's."""
    if not data_dir.is_dir():
        return []  # the build itself says the folder is missing
    if resolve_secret(data_dir).is_sample:
        return [f"{data_dir} is the sample portfolio, built with the built-in sample secret (public): its survey links "
                "are for trying Rapport only, and publish refuses it; start your own with `rapport init DIR`"]
    return []


def validate_notices(data_dir: Path) -> list[str]:
    """A line about rows held in quarantine, if any."""
    from generator.ingest.quarantine_list import held_rows

    held = held_rows(data_dir)
    if not held:
        return []
    files = sorted({row.path.name for row in held})
    return [f"{len(held):,} row{'' if len(held) == 1 else 's'} held in {data_dir}/quarantine/ ({', '.join(files)}): "
            "`rapport quarantine` lists them with the fix to try"]
