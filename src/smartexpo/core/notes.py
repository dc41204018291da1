"""Sentences that can be said again in another language.

A forecast's caveats are worded while it is computed, in the language active then; a bilingual
PDF shows them in both of its parts without computing the forecast twice. A `Note` is the
sentence as a plain `str` in the language active when it was made (so templates, JSON and the
API take it as they took the string), and it keeps its message id and parameters to be
translated again (`again`, `say`).
"""

from __future__ import annotations

from django.utils.translation import gettext


class Note(str):
    """`gettext(msgid) % params` in the active language, able to say itself again later.
    Mark the message id with `gettext_noop` where it is written, so that it is collected."""

    msgid: str
    params: dict | None

    def __new__(cls, msgid: str, params: dict | None = None) -> Note:
        note = super().__new__(cls, _render(msgid, params))
        note.msgid, note.params = msgid, params
        return note

    def again(self) -> str:
        """The sentence in the language active now."""
        return _render(self.msgid, self.params)


def _render(msgid: str, params: dict | None) -> str:
    text = gettext(msgid)
    return text % params if params is not None else text


def say(text: str) -> str:
    """`text` in the active language if it is a `Note`, else as it is."""
    return text.again() if isinstance(text, Note) else text
