"""Code lists the facts are checked against, kept as data (no network, no dependency).

- ``COUNTRY_CODES``: ISO 3166-1 alpha-2 (249 codes, from the iso-codes package's list);
- ``LANGUAGE_CODES``: ISO 639-1 (184 codes);
- ``OFFENCE_CATEGORIES``: the categories of the Criminal Code the catalogue's rules read
  (CC art 11: minor, medium, grave, especially grave; and the listed kinds of CPC art 131(4)).
"""
import re

COUNTRY_CODES: frozenset[str] = frozenset("""
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
""".split())

LANGUAGE_CODES: frozenset[str] = frozenset("""
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

OFFENCE_CATEGORIES: tuple[str, ...] = ("minor", "medium", "grave", "especially_grave",
                                       "terrorist", "extremist", "mass_riots")

# An article of the Criminal Code: "188", "188 part 2", "188-1 part 3 para 2"; the forms people
# write are accepted too ("CC art 188(2)", "art. 188-1 (3)(2)") and normalised by
# ``canonical_article``.
OFFENCE_ARTICLE = re.compile(
    r"^(?:(?:cc|criminal code)\s*)?(?:art(?:icle)?\.?\s*)?"
    r"(?P<article>\d{1,3})(?:-(?P<sub>\d{1,2}))?"
    r"(?:\s*(?:part\s*(?P<part>\d{1,2})|\((?P<part2>\d{1,2})\)))?"
    r"(?:\s*(?:para\s*(?P<para>\d{1,2})|\((?P<para2>\d{1,2})\)))?$")
ARTICLE_RANGE = (1, 500)


def _article(value):
    if not isinstance(value, str):
        return None
    match = OFFENCE_ARTICLE.match(" ".join(value.strip().lower().split()))
    if match is None:
        return None
    low, high = ARTICLE_RANGE
    return match if low <= int(match["article"]) <= high else None


def canonical_article(value):
    """``"CC art 188(2)"`` as ``"188 part 2"``; the value unchanged when it is no article."""
    match = _article(value)
    if match is None:
        return value
    text = match["article"] + (f"-{match['sub']}" if match["sub"] else "")
    part, para = match["part"] or match["part2"], match["para"] or match["para2"]
    text += f" part {part}" if part else ""
    text += f" para {para}" if para else ""
    return text


def is_country(code) -> bool:
    """An ISO 3166-1 alpha-2 code, in any case ("kz" is KZ)."""
    return isinstance(code, str) and code.strip().upper() in COUNTRY_CODES


def is_language(code) -> bool:
    """An ISO 639-1 code, in any case ("RU" is ru)."""
    return isinstance(code, str) and code.strip().lower() in LANGUAGE_CODES


def is_offence_category(value) -> bool:
    return isinstance(value, str) and value.strip().lower() in OFFENCE_CATEGORIES


def is_offence_article(value) -> bool:
    """Shaped like an article of the Criminal Code, its number within 1-500."""
    return _article(value) is not None


# Language names people write instead of codes (English, Russian, Kazakh), read as ISO 639-1.
LANGUAGE_NAMES = {
    "kazakh": "kk", "казахский": "kk", "қазақ": "kk", "қазақша": "kk", "қазақ тілі": "kk",
    "russian": "ru", "русский": "ru", "орыс": "ru", "орысша": "ru", "орыс тілі": "ru",
    "english": "en", "английский": "en", "ағылшын": "en",
    "uzbek": "uz", "узбекский": "uz", "өзбек": "uz",
    "kyrgyz": "ky", "kirghiz": "ky", "киргизский": "ky", "кыргызский": "ky", "қырғыз": "ky",
    "tajik": "tg", "таджикский": "tg", "тәжік": "tg",
    "turkmen": "tk", "туркменский": "tk", "түрікмен": "tk",
    "uyghur": "ug", "uighur": "ug", "уйгурский": "ug", "ұйғыр": "ug",
    "chinese": "zh", "mandarin": "zh", "китайский": "zh", "қытай": "zh",
    "turkish": "tr", "турецкий": "tr", "түрік": "tr",
    "azerbaijani": "az", "азербайджанский": "az", "әзірбайжан": "az",
    "ukrainian": "uk", "украинский": "uk", "украин": "uk",
    "belarusian": "be", "белорусский": "be",
    "german": "de", "немецкий": "de", "неміс": "de",
    "korean": "ko", "корейский": "ko", "корей": "ko",
    "arabic": "ar", "арабский": "ar", "араб": "ar",
    "persian": "fa", "farsi": "fa", "персидский": "fa",
    "georgian": "ka", "грузинский": "ka", "armenian": "hy", "армянский": "hy",
    "mongolian": "mn", "монгольский": "mn", "french": "fr", "французский": "fr",
}


def language_code(value: str) -> str:
    """A language as its ISO 639-1 code: a code as given (lower case), or a name people write."""
    text = value.strip().lower()
    return LANGUAGE_NAMES.get(text, text)
