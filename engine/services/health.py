"""Is the engine able to work: the database answers."""
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .context import Habeas

# what a caller outside the services (the CLI) catches as "the database cannot be used"
DATABASE_ERRORS = (SQLAlchemyError,)


def database(ctx: Habeas) -> dict:
    """``{"ok": True}`` or ``{"ok": False, "error": one line}`` (no credentials in it)."""
    try:
        with ctx.unit_of_work() as session:
            session.execute(text("SELECT 1"))
        return {"ok": True}
    except SQLAlchemyError as err:
        return {"ok": False, "error": one_line(err)}


def one_line(err: BaseException) -> str:
    """The first line of a driver's error, without SQLAlchemy's background link."""
    original = getattr(err, "orig", None) or err
    text_ = str(original).strip().splitlines()
    return (text_[0] if text_ else type(original).__name__)[:300]
