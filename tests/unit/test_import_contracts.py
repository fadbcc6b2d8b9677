"""The layer rules (``.importlinter``) hold: ``lint-imports`` runs here, so ``make test`` and CI
run it; a new top-level module cannot slip past the contracts that list modules one by one; and
a contract does fail on a file that breaks it."""
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
LINT = Path(sys.executable).with_name("lint-imports")
if not LINT.exists():  # an interpreter whose scripts live elsewhere
    LINT = Path(shutil.which("lint-imports") or LINT)


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(LINT), "--no-cache", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env)


def _contract(key: str, field: str) -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return set(parser[f"importlinter:contract:{key}"][field].split())


def _children(package: str) -> set[str]:
    folder = ROOT / package
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
    return {f"{package}.{n}" for n in names}


def test_every_layer_contract_is_kept():
    out = _run(ROOT)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_the_contracts_listing_modules_cover_every_module():
    engine = _children("engine")
    assert _contract("spiffworkflow-behind-workflow", "source_modules") >= engine - {"engine.workflow"}
    assert _contract("sqlalchemy-behind-persistence-and-services", "source_modules") >= \
        engine - {"engine.persistence", "engine.services"}
    wiring = {"web.extensions", "web.settings", "web.translations", "web.templates", "web.static"}
    assert _contract("web-through-services", "source_modules") >= _children("web") - wiring


def test_a_file_that_breaks_a_contract_fails_the_run(tmp_path):
    for package in ("engine", "engine/domain", "engine/workflow", "engine/persistence", "engine/services", "web"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "engine" / "domain" / "rules.py").write_text("import sqlalchemy\n")
    shutil.copy(CONFIG, tmp_path / ".importlinter")
    out = _run(tmp_path, "--contract", "pure-domain")
    assert out.returncode != 0 and "engine.domain.rules -> sqlalchemy" in out.stdout
