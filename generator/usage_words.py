"""The command line's usage mistakes (a missing option, an unknown one, a wrong value) in the
user's language, with the usage line and the "see the help" line.

Typer (0.29) carries its own copy of Click, whose sentences are plain English literals, not
gettext messages: they cannot be translated by a catalogue of messages. So the few places that
make them are wrapped here: each exception's `format_message`, the usage line's prefix, and
Typer's two sentences. Every word comes from the text catalogue (`click.*`, `help._.*`); with
`--lang en` the originals are kept.
"""

from __future__ import annotations

import re

from generator.core import texts

try:  # where Typer keeps its Click
    from typer._click import exceptions as _exceptions
    from typer._click import formatting as _formatting
except ImportError:  # pragma: no cover - a Typer that uses Click itself
    from click import exceptions as _exceptions
    from click import formatting as _formatting

_ORIGINAL = {cls: cls.format_message for cls in (_exceptions.UsageError, _exceptions.BadParameter,
                                                   _exceptions.MissingParameter, _exceptions.NoSuchOption)}
_WRITE_USAGE = _formatting.HelpFormatter.write_usage
_state = {"lang": "th"}


def _t(key: str, **params) -> str:
    return texts.text(key, _state["lang"], **params)


def _hint(exc) -> str:
    hint = exc.param_hint if getattr(exc, "param_hint", None) is not None else (
        exc.param.get_error_hint() if getattr(exc, "param", None) is not None else None)
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(f"'{h}'" for h in hint)
    return hint or ""


def _value_problem(message: str) -> str:
    found = re.fullmatch(r"(.*) is not a valid (\w+)\.?", message or "")
    if found:
        return _t("click.not_number", value=found[1].strip("'"), number_type=found[2])
    if (message or "").startswith("Input should be a valid integer"):
        return _t("click.not_integer")
    return message


def thai_message(exc) -> str | None:
    """The mistake in the catalogue's words, or None where there is no sentence for it."""
    if isinstance(exc, _exceptions.MissingParameter):
        key = "click.missing_option" if getattr(exc.param, "param_type_name", "option") == "option" \
            else "click.missing_argument"
        return f"{_t(key)} {_hint(exc)}".strip()
    if isinstance(exc, _exceptions.NoSuchOption):
        text = _t("click.no_option", name=exc.option_name)
        if exc.possibilities:
            text += " " + _t("click.did_you_mean_many", possibilities=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, _exceptions.BadParameter):
        hint = _hint(exc)
        return _t("click.invalid_value_for", param_hint=hint, message=_value_problem(exc.message)) if hint \
            else _t("click.invalid_value", message=_value_problem(exc.message))
    message = exc.message or ""
    if found := re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message):
        return _t("click.extra_argument", args=found[1])
    if found := re.fullmatch(r"No such command '(.*)'\.?", message):
        return _t("click.no_command", name=found[1])
    if message.startswith("Missing command"):
        return _t("click.missing_command")
    return None


def _format_message(cls):
    original = _ORIGINAL[cls]

    def format_message(self) -> str:
        if _state["lang"] != "en":
            said = thai_message(self)
            if said:
                return said
        return original(self)
    return format_message


def _write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
    return _WRITE_USAGE(self, prog, args, _t("click.usage") + " " if prefix is None else prefix)


def install(lang: str) -> None:
    """Usage mistakes, the usage line and Typer's sentences in `lang` from now on."""
    from typer import rich_utils

    _state["lang"] = lang
    for cls in _ORIGINAL:
        cls.format_message = _format_message(cls)
    _formatting.HelpFormatter.write_usage = _write_usage
    rich_utils.RICH_HELP = _t("click.try_rich")
    rich_utils.ABORTED_TEXT = _t("click.aborted_rich")
