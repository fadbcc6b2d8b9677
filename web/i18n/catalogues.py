"""Compiled catalogues (``.mo``) are built from the ``.po`` sources and never committed.
``make install`` compiles them with ``pybabel compile``; the app also compiles a missing or
stale one at start, so a checkout that skipped make still shows its translations."""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def ensure_compiled(directory: Path, logger=None) -> None:
    for po_path in Path(directory).glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as source:
                catalog = read_po(source, locale=po_path.parents[1].name)
            with mo_path.open("wb") as target:
                write_mo(target, catalog)
        except OSError as err:  # a read-only installation: make install compiled them
            if logger:
                logger.warning("could not compile %s: %s", po_path, err)
