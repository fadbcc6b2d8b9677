"""The process library that comes with Habeas: the BPMN files ``habeas deploy --library`` and
``habeas demo`` deploy.

In a checkout they are ``processes/*.bpmn`` (the source designers edit); an installed wheel carries
a copy in ``engine/processes`` (put there by setup.py's build step)."""
from pathlib import Path

SHIPPED = Path(__file__).resolve().with_name("processes")
CHECKOUT = Path(__file__).resolve().parents[1] / "processes"


def library_dir() -> Path:
    """The shipped copy when this is an installed package, else the checkout's ``processes/``."""
    if any(SHIPPED.glob("*.bpmn")):
        return SHIPPED
    if any(CHECKOUT.glob("*.bpmn")):
        return CHECKOUT
    raise FileNotFoundError("no process library found: neither an installed engine/processes nor a "
                            "checkout's processes/ holds a .bpmn file")


def library_files() -> list[Path]:
    return sorted(library_dir().glob("*.bpmn"))
