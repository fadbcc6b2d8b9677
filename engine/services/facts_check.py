"""Facts are checked at every entry point (forms, API, CLI) before anything changes.

The rules are the domain's (``engine.domain.fact_checks``): no fact time in the future, times in
order, a birth date that makes sense, codes from lists.  A wrong fact is refused with an
``InvalidData`` error naming each field, and the case stays as it was."""
from datetime import datetime

from ..domain import fact_checks
from ..domain.errors import InvalidData


def require(values: dict, *, now: datetime, known: dict | None = None, fields=()) -> dict:
    """Refuse ``values`` when a fact is wrong; return them normalised (country codes upper case)."""
    types = {f.name: f.type for f in fields}
    values = fact_checks.normalise_facts(values)
    errors = fact_checks.check_facts(values, now=now, known=known or {}, field_types=types)
    if errors:
        first = next(iter(errors))
        raise InvalidData(f"{first}: {errors[first][0]}" if len(errors) == 1 else
                          f"{len(errors)} facts are wrong: " + ", ".join(errors), errors)
    return values
