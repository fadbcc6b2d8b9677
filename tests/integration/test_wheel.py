"""The wheel an office installs: built from the committed sources and the front-end bundles (once
per test session), installed into a fresh virtual environment outside the checkout, it
initialises a database, deploys the process library it carries, serves, and answers with the
login page, a static bundle and the OpenAPI document.

To stay fast and offline, the fresh environment gets the wheel with ``--no-deps`` and reads its
dependencies from this environment's site-packages through a ``.pth`` line (added after the
install, so pip never sees the checkout's editable copy)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "static" / "vendor"
pytestmark = pytest.mark.slow


def _sources(target: Path) -> None:
    """The checkout's files that git does not ignore (what a release is built from) plus the
    bundles `make assets` built and the catalogues `make install` compiled; never build/, .venv/
    or node_modules/."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    shutil.copytree(VENDOR, target / "web" / "static" / "vendor")
    for compiled in (ROOT / "web" / "translations").glob("*/LC_MESSAGES/*.mo"):  # built by make install
        destination = target / compiled.relative_to(ROOT)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(compiled, destination)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    if not (VENDOR / ".installed").exists():
        pytest.fail("web/static/vendor is missing: run `make assets` first (make test does)")
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    _sources(source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(source)], check=True, capture_output=True)
    (built,) = out.glob(f"habeas-{engine.__version__}-py3-none-any.whl")
    return built


@pytest.fixture(scope="session")
def office(wheel, tmp_path_factory) -> dict:
    """A fresh virtual environment with the wheel installed, and a working folder outside the checkout."""
    home = tmp_path_factory.mktemp("office")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "habeas_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HABEAS_", "PYTHON"))}
    env.update(HABEAS_DATABASE_URL=f"sqlite:///{home / 'habeas.sqlite3'}", HABEAS_SCHEDULER="0")
    return {"home": home, "bin": venv / "bin", "python": python, "env": env}


def habeas(office, *argv, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(office["bin"] / "habeas"), *argv], cwd=office["home"], env=office["env"],
                          capture_output=True, text=True, timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_carries_everything_the_app_reads_at_run_time(wheel):
    files = wheel_files(wheel)
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "web").rglob("*")
                if p.is_file() and p.suffix in (".html", ".css", ".js", ".po", ".mo", ".woff2", ".woff", ".ttf",
                                                ".eot", ".svg")
                and "__pycache__" not in p.parts}
    expected |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "engine" / "persistence" / "migrations").rglob("*")
                 if p.suffix in (".py", ".mako")}
    expected |= {f"engine/processes/{p.name}" for p in (ROOT / "processes").glob("*.bpmn")}
    expected |= {f"engine/processes/training/{p.name}" for p in (ROOT / "processes" / "training").glob("*.json")}
    assert any(name.startswith("web/static/vendor/") for name in expected)  # the bundles are in the check
    assert expected - files == set()
    assert not {n for n in files if n.startswith(("tests/", "benchmarks/", "node_modules/")) or "/." in n}


def test_the_installed_package_runs_from_its_own_copy(office):
    done = subprocess.run([str(office["python"]), "-c", "import engine, web; print(engine.__file__); "
                           "print(web.__file__)"], cwd=office["home"], env=office["env"], capture_output=True,
                          text=True, check=True)
    for path in done.stdout.split():
        assert Path(path).is_relative_to(office["bin"].parent), path
    assert habeas(office, "--version").stdout.strip() == f"habeas {engine.__version__}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read(), answer.headers.get("Content-Type", "")


def _wait_until_serving(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"habeas serve exited with {server.returncode}: {server.stderr.read()}")
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"nothing answered at {url} within {seconds} s")


def test_install_init_deploy_the_library_serve_and_answer(office):
    assert "initialised" in json.loads(habeas(office, "init").stdout)
    deployed = json.loads(habeas(office, "deploy", "--library").stdout)
    assert {d["process"] for d in deployed} == {p.stem for p in (ROOT / "processes").glob("*.bpmn")}
    assert all(d["created"] for d in deployed)
    port = _free_port()
    server = subprocess.Popen([str(office["bin"] / "habeas"), "serve", "--port", str(port)], cwd=office["home"],
                              env=office["env"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(f"{base}/health", server)
        status, body, _ = _get(f"{base}/login")
        assert status == 200 and b'name="password"' in body
        bundle = "vendor/bpmn-navigated-viewer.production.min.js"
        status, body, kind = _get(f"{base}/static/{bundle}")
        assert status == 200 and body == (ROOT / "web" / "static" / bundle).read_bytes() and "javascript" in kind
        status, body, _ = _get(f"{base}/static/css/habeas.css")
        assert status == 200 and body == (ROOT / "web" / "static" / "css" / "habeas.css").read_bytes()
        status, body, _ = _get(f"{base}/api/v1/openapi.json")
        document = json.loads(body)
        assert status == 200 and document["openapi"].startswith("3") and "/api/v1/cases" in document["paths"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_the_installed_package_refuses_to_serve_everyone_without_a_secret_key(office):
    done = habeas(office, "serve", "--host", "0.0.0.0", "--port", str(_free_port()), check=False)
    assert done.returncode == 10
    assert len(done.stderr.strip().splitlines()) == 1 and "secret key" in done.stderr
