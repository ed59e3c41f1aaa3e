"""The web page's words: the catalogue's ``web.*`` entries (`generator.core.texts`, the one
catalogue). Messages about a file's contents (problems, statuses, figures' labels) come from the
rule catalogue and the report's sections, so the page says exactly what the CLI and the PDF say."""

from __future__ import annotations

from generator.core import texts


def word(key: str, lang: str = "th", **params) -> str:
    return texts.text("web." + key, lang, **params)
