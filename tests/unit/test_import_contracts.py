"""The layer rules (``.importlinter``) hold: ``lint-imports`` runs here, so ``make test`` and CI
run it; and a contract does fail on a file that breaks it."""
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


def test_every_layer_contract_is_kept():
    out = _run(ROOT)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A copy of the contracts over a skeleton of the packages, plus ``files``."""
    for package in ("engine", "engine/domain", "engine/workflow", "engine/persistence", "engine/services", "web"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    shutil.copy(CONFIG, tmp_path / ".importlinter")
    return tmp_path


def test_a_domain_module_importing_sqlalchemy_breaks_the_run(tmp_path):
    out = _run(_project(tmp_path, {"engine/domain/rules.py": "import sqlalchemy\n"}), "--contract", "pure-domain")
    assert out.returncode != 0 and "engine.domain.rules -> sqlalchemy" in out.stdout


def test_a_web_module_importing_spiffworkflow_breaks_the_run(tmp_path):
    project = _project(tmp_path, {"web/pages.py": "from SpiffWorkflow.bpmn import BpmnWorkflow\n"})
    out = _run(project, "--contract", "spiffworkflow-behind-workflow")
    assert out.returncode != 0 and "web.pages" in out.stdout
