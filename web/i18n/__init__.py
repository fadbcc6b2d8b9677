"""The interface in Kazakh, Russian and English (Flask-Babel, gettext catalogues in
``web/translations``).

Which language a request is answered in, first match wins:

1. ``?lang=kk|ru|en`` on any page: remembered in the session (it survives logging out) and, for a
   logged-in person, saved on the user;
2. the language remembered in the session;
3. the logged-in user's saved choice;
4. the browser's ``Accept-Language``;
5. the configured default (``HABEAS_LANGUAGE``, ``en`` unless set).

The JSON API answers in ``Accept-Language`` only (its codes and field names stay English).
The engine never translates: it hands over stable ids and English text, and ``labels`` turns
them into the reader's words here, in the web layer."""
from pathlib import Path
from urllib.parse import urlencode

from flask import current_app, g, request, session
from flask_babel import Babel

from engine.services import users

from ..extensions import habeas
from .catalogues import ensure_compiled

LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
SESSION_KEY = "lang"

babel = Babel()


def init_app(app) -> None:
    app.config.setdefault("LANGUAGES", tuple(LANGUAGES))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config.get("DEFAULT_LANGUAGE", "en"))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(_translations_dir(app)))
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    ensure_compiled(_translations_dir(app), app.logger)
    babel.init_app(app, locale_selector=current_language)
    app.before_request(_remember_requested_language)

    @app.context_processor
    def _languages():
        return {"languages": LANGUAGES, "current_language": current_language(),
                "language_url": _language_url}


def _translations_dir(app) -> Path:
    return Path(app.root_path) / "translations"


def current_language() -> str:
    """The language of this request (see the module's docstring for the order)."""
    if "language" in g:
        return g.language
    supported = current_app.config["LANGUAGES"]
    chosen = None
    if not request.path.startswith("/api/"):
        chosen = session.get(SESSION_KEY) or _saved_choice()
    if chosen not in supported:
        chosen = request.accept_languages.best_match(supported)
    g.language = chosen or current_app.config["BABEL_DEFAULT_LOCALE"]
    return g.language


def _saved_choice() -> str | None:
    """The logged-in person's saved language, remembered in the session once read."""
    username = session.get("user")
    if not username or session.get("lang_looked_up"):
        return None
    saved = users.language_of(habeas(), username)
    session["lang_looked_up"] = True  # once per login: no query on every page for those who never chose
    if saved:
        session[SESSION_KEY] = saved
    return saved


def _remember_requested_language() -> None:
    requested = request.args.get("lang")
    if requested not in current_app.config["LANGUAGES"] or request.path.startswith("/api/"):
        return  # an unknown code changes nothing
    session[SESSION_KEY] = requested
    g.pop("language", None)
    if session.get("user"):
        users.save_language(habeas(), session["user"], requested)


def _language_url(code: str) -> str:
    """This page again, in another language (other query arguments kept)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)


def keep_language_across(session_clear) -> None:
    """Log in and log out clear the session; the chosen language survives both."""
    language = session.get(SESSION_KEY)
    session_clear()
    if language:
        session[SESSION_KEY] = language


def said(error):
    """Mark an error raised here with a message already in the reader's language, so that the
    error handler shows it as it is (engine errors carry English and are translated there)."""
    error.translated = True
    return error
