"""core.notes.Note: a sentence worded in one language and said again in another."""

import json

from django.utils import translation
from django.utils.translation import gettext_noop

from smartexpo.core.notes import Note, say

MSGID = gettext_noop("%(type)s is new in this edition: default show-up rates.")


def test_a_note_is_the_sentence_in_the_language_it_was_made_in_and_says_itself_again():
    with translation.override("en"):
        note = Note(MSGID, {"type": "VIP"})
    assert note == "VIP is new in this edition: default show-up rates."
    assert json.dumps([note]) == json.dumps([str(note)])
    with translation.override("zh-hans"):
        chinese = say(note)
    assert chinese != note and "VIP" in chinese
    with translation.override("en"):
        assert say(note) == note


def test_say_leaves_a_plain_string_as_it_is():
    with translation.override("zh-hans"):
        assert say("Not found.") == "Not found."


def test_a_note_without_parameters_keeps_a_percent_sign_as_written():
    with translation.override("en"):
        assert Note("100 %") == "100 %"
