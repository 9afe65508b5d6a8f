"""The guest pages' texts in each language, read from the gettext catalogues in `hygate_app/locales/`.

Message ids are stable keys (`use.pay_and_start`); `en` is the source catalogue and every other language
must translate every id (a test checks it). The `.po` files are read directly with Babel's reader: the
pages need the whole catalogue as a dictionary anyway (the browser renders the text), so there is no
compiled `.mo` file to build or to forget. Staff pages stay English and do not use this.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "guest"
DEFAULT_LANGUAGE = "en"
# Each language's name in itself, as the language menu shows it.
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
LANGUAGE_COOKIE = "hygate_lang"


def N_(message_id: str) -> str:
    """Marks a message id written outside a `t(...)` call, so the catalogue check finds it."""
    return message_id


def catalogue_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def messages(language: str) -> dict[str, str]:
    """Every message of `language`, by id; an unknown language gets the default's."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    with catalogue_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def gettext(language: str, message_id: str, **params: object) -> str:
    """One message with its `{placeholders}` filled; an id missing in a language falls back to English."""
    template = messages(language).get(message_id) or messages(DEFAULT_LANGUAGE).get(message_id, message_id)
    return template.format(**params) if params else template


def _ranked(accept_language: str) -> list[str]:
    """`de-CH,de;q=0.9,en;q=0.8` → ["de", "de", "en"]: primary subtags, most wanted first (stable on ties)."""
    weighted = []
    for index, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(chosen: str | None, accept_language: str | None) -> str:
    """The guest's own choice (the language menu's cookie) first, else the browser's, else English."""
    if chosen in LANGUAGES:
        return chosen
    for tag in _ranked(accept_language or ""):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE
