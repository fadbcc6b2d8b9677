"""The command line's words in the operator's language (its human-readable output only: JSON
output, codes, ids and exit codes stay English and stable for scripts).

Why here and why plain ``gettext``: the engine never imports Flask (nor ``web``), but the words
are the interface's, already translated by lawyers in one set of catalogues.  So the CLI reads
the same compiled catalogues, ``web/translations/<lang>/LC_MESSAGES/messages.mo``, as files,
with the standard library's ``gettext`` (``make install`` compiles them; a checkout that skipped
it gets them compiled in memory from the ``.po`` with Babel).  The messages the CLI prints are
marked in ``engine/cli.py`` with ``_``/``ngettext`` and the engine's sentences with ``N_``
(``engine.domain.wording``); ``make messages`` collects them with the rest (``babel.cfg``).

The language, first match wins: the operator's locale (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``, as gettext reads them: ``ru_RU.UTF-8`` is Russian) when it names kk,
ru or en; else the installation's ``HABEAS_LANGUAGE``; else English.  ``C`` and ``POSIX`` name no
language and are passed over."""
import gettext as gnu
import io
import os
from functools import lru_cache
from pathlib import Path

from .settings import LANGUAGES  # the languages an installation may choose (HABEAS_LANGUAGE)

CATALOGUES = Path(__file__).resolve().parents[1] / "web" / "translations"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def chosen(environ=None) -> str:
    """The operator's language (see the module's docstring for the order)."""
    environ = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        for value in (environ.get(name) or "").split(":"):
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
    habeas = (environ.get("HABEAS_LANGUAGE") or "").lower()
    return habeas if habeas in LANGUAGES else "en"


@lru_cache(maxsize=None)
def catalogue(language: str, directory: Path = CATALOGUES) -> gnu.NullTranslations:
    """The compiled catalogue of a language, or English (the messages themselves) without one."""
    mo = directory / language / "LC_MESSAGES" / "messages.mo"
    po = mo.with_suffix(".po")
    try:
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as source:
                return gnu.GNUTranslations(source)
        if po.exists():
            return gnu.GNUTranslations(_compiled(po, language))
    except (OSError, ValueError):
        pass
    return gnu.NullTranslations()


def _compiled(po: Path, language: str) -> io.BytesIO:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with po.open("rb") as source:
        compiled = read_po(source, locale=language)
    out = io.BytesIO()
    write_mo(out, compiled)
    out.seek(0)
    return out


def gettext(message: str, **values) -> str:
    """``message`` in the operator's language, ``%(name)s`` placeholders filled in."""
    said = catalogue(chosen()).gettext(message)
    return said % values if values else said


def ngettext(singular: str, plural: str, n: int, **values) -> str:
    """The form for ``n`` (Russian has three), ``%(num)s`` and the placeholders filled in."""
    said = catalogue(chosen()).ngettext(singular, plural, n)
    return said % {"num": n, **values}


def english() -> bool:
    return chosen() == "en"
