"""The catalogues are complete: every message the interface, the rights catalogue and the process
library show (as ``pybabel extract -F babel.cfg`` finds them) is in the kk and ru catalogues,
translated, not fuzzy, with every plural form and the same placeholders as the English."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "_l": None,
            "lazy_gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


@pytest.fixture(scope="module")
def extracted() -> set[tuple]:
    """(context, msgid) of every message in the sources, as the Makefile's ``messages`` collects them."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _name, _line, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map,
                                                                       keywords=KEYWORDS):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def _catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_message_is_translated_and_none_is_fuzzy(language, extracted):
    catalogue = _catalogue(language)
    known = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalogue if m.id}
    missing = sorted(str(key) for key in extracted - set(known))
    assert not missing, f"not in web/translations/{language} (run make messages, then translate): {missing[:10]}"
    untranslated = [key for key, m in known.items()
                    if not m.string or (isinstance(m.string, tuple) and not all(m.string))]
    fuzzy = [key for key, m in known.items() if m.fuzzy]
    assert not untranslated and not fuzzy, (untranslated[:10], fuzzy[:10])


@pytest.mark.parametrize("language, forms", [("kk", 2), ("ru", 3)])
def test_plurals_have_every_form_of_the_language(language, forms):
    catalogue = _catalogue(language)
    assert catalogue.num_plurals == forms
    plurals = [m for m in catalogue if m.id and isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == forms and all(m.string) for m in plurals)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_translations_keep_the_placeholders_of_the_english(language):
    for m in _catalogue(language):
        if not m.id:
            continue
        english = " ".join(m.id) if isinstance(m.id, tuple) else m.id
        for text in (m.string if isinstance(m.string, tuple) else (m.string,)):
            assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(english)), (m.id, text)
            assert set(PLACEHOLDER.findall(m.id[0] if isinstance(m.id, tuple) else m.id)) - {"%(num)s"} \
                <= set(PLACEHOLDER.findall(text)), (m.id, text)


def test_russian_plurals_choose_the_right_form():
    from babel.support import Translations
    from babel.messages.mofile import write_mo
    import io
    buffer = io.BytesIO()
    write_mo(buffer, _catalogue("ru"))
    buffer.seek(0)
    russian = Translations(buffer)
    words = [russian.ngettext("%(num)s refusal", "%(num)s refusals", n) % {"num": n} for n in (1, 3, 5, 11, 21, 22)]
    assert words == ["1 отказ", "3 отказа", "5 отказов", "11 отказов", "21 отказ", "22 отказа"]


def test_the_glossary_uses_the_words_of_the_catalogues():
    """docs/glossary.md and the catalogues say the same: each Russian and Kazakh term of the
    glossary is the translation of its English term (or appears in it)."""
    glossary = (ROOT / "docs" / "glossary.md").read_text()
    rows = [tuple(cell.strip() for cell in line.strip("|").split("|"))
            for line in glossary.splitlines() if line.startswith("| ") and not line.startswith("| English")]
    assert len(rows) >= 20
    catalogues = {language: {m.id: m.string for m in _catalogue(language) if isinstance(m.id, str) and m.id}
                  for language in ("ru", "kk")}
    for english, russian, kazakh, *_ in rows:
        if english in catalogues["ru"]:
            assert russian.lower() in catalogues["ru"][english].lower(), (english, russian)
            assert kazakh.lower() in catalogues["kk"][english].lower(), (english, kazakh)
