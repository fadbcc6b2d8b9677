"""The build step setup.cfg cannot express: the process library ships inside the package.

``processes/`` at the top of the checkout stays the source designers edit; a wheel carries a copy
as ``engine/processes/*.bpmn`` so that ``habeas deploy --library`` works where Habeas is installed.
A wheel without the front-end bundles could not draw a diagram or a chart, so building one without
them (``make assets`` not run) is refused."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
LIBRARY = ROOT / "processes"
BUNDLES = ROOT / "web" / "static" / "vendor"


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads processes/ and web/static/vendor in place
        if not (BUNDLES / ".installed").exists():
            raise SystemExit("web/static/vendor is missing: run `make assets` (npm ci from the lockfile) first")
        target = Path(self.build_lib) / "engine" / "processes"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for path in sorted(LIBRARY.glob("*.bpmn")):
            shutil.copy2(path, target / path.name)
        shutil.copytree(LIBRARY / "training", target / "training")  # the training scenarios


setup(cmdclass={"build_py": BuildWithLibrary})
