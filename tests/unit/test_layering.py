"""What import-linter cannot say (its contracts, in ``.importlinter``, are run by
tests/unit/test_import_contracts.py): the domain uses the standard library and itself only,
imports made with ``importlib`` included.  Read from the source with ``ast``."""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
SOURCES = sorted(ENGINE.rglob("*.py"))


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Absolute names of every module the file imports, anywhere in it (top level, inside
    functions, ``importlib.import_module("x")`` and ``__import__("x")`` with literal names)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                assert base, f"{path}: relative import beyond the top-level package"
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("import_module", "__import__"):
                found.add(node.args[0].value)
    return found


def top(name: str) -> str:
    return name.split(".")[0]


IMPORTS = {path.relative_to(ROOT).as_posix(): imported_modules(path) for path in SOURCES}


def under(file: str, *folders: str) -> bool:
    return any(file.startswith(f"engine/{folder}/") for folder in folders)


def test_the_engine_sources_are_found():
    files = set(IMPORTS)
    assert {"engine/cli.py", "engine/domain/catalogue.py", "engine/workflow/adapter.py",
            "engine/persistence/models.py", "engine/services/cases.py"} <= files


def test_the_import_reader_sees_what_the_layers_use():
    """The rules below would pass vacuously if the reader missed imports."""
    assert "SpiffWorkflow.bpmn.BpmnWorkflow" in IMPORTS["engine/workflow/adapter.py"]
    assert "sqlalchemy" in {top(n) for n in IMPORTS["engine/persistence/models.py"]}
    assert "engine.domain.catalogue" in IMPORTS["engine/services/cases.py"]  # relative, resolved
    assert "marshmallow" in {top(n) for n in IMPORTS["engine/services/forms.py"]}


def test_reader_resolves_relative_and_dynamic_imports(tmp_path):
    package = tmp_path / "engine" / "domain"
    package.mkdir(parents=True)
    sample = package / "sample.py"
    sample.write_text("from . import rights\nfrom ..services.cases import open_case\n"
                      "def f():\n    import importlib\n    importlib.import_module('flask')\n    __import__('web.app')\n")
    assert imported_modules(sample, tmp_path) >= {"engine.domain.rights", "engine.services.cases", "flask", "web.app"}


@pytest.mark.parametrize("file", sorted(f for f in IMPORTS if under(f, "domain")))
def test_the_domain_is_pure(file):
    """The domain uses the standard library and itself: no database, forms library or engine."""
    names = IMPORTS[file]
    assert not {n for n in names if top(n) in ("sqlalchemy", "alembic", "marshmallow", "SpiffWorkflow")}
    foreign = {n for n in names if top(n) not in sys.stdlib_module_names
               and not (n == "engine.domain" or n.startswith("engine.domain."))}
    assert foreign == set(), f"{file} imports outside the standard library and engine.domain"
