"""The version means something: one source (``engine.__version__``), PEP 440, and a CHANGELOG.md
that has a section for it (``Unreleased`` while it is a ``.dev`` version) above older releases."""
import re
from pathlib import Path

import engine

ROOT = Path(__file__).resolve().parents[2]
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:\.dev(\d+))?$")
HEADING = re.compile(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", re.M)


def release(version: str) -> tuple[int, int, int]:
    major, minor, patch, _ = VERSION.match(version).groups()
    return int(major), int(minor), int(patch)


def changelog_sections() -> list[tuple[str, str | None]]:
    return HEADING.findall((ROOT / "CHANGELOG.md").read_text())


def test_the_version_is_a_release_or_a_development_version_after_one():
    assert VERSION.match(engine.__version__), engine.__version__


def test_the_changelog_has_a_section_for_this_version_and_newest_first():
    sections = changelog_sections()
    released = [name for name, _ in sections if name != "Unreleased"]
    assert all(date for name, date in sections if name != "Unreleased")  # a release has its date
    assert released == sorted(released, key=release, reverse=True) and released
    if ".dev" in engine.__version__:
        assert sections[0][0] == "Unreleased"
        assert release(engine.__version__) > release(released[0])  # the next release, not an old one
    else:
        assert released[0] == engine.__version__


def test_setup_reads_the_version_from_the_engine():
    assert re.search(r"^version = attr: engine.__version__$", (ROOT / "setup.cfg").read_text(), re.M)
