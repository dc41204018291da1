"""Every translation catalogue is complete and compiled: no message without a translation, none
marked fuzzy (gettext leaves a fuzzy one untranslated), no obsolete ones kept, every string the
code marks for translation in the catalogue, and the compiled `.mo` what the `.po` says."""

from __future__ import annotations

import ast
import gettext
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

import smartexpo

PACKAGE = Path(smartexpo.__file__).parent
CATALOGUES = sorted(PACKAGE.glob("locale/*/LC_MESSAGES/*.po"))


@dataclass
class Entry:
    msgid: str
    plural: str | None
    msgstrs: list[str]
    flags: set[str]
    obsolete: bool
    context: str | None = None

    @property
    def key(self) -> str:
        """Its key in a compiled catalogue (a context comes first, with EOT between)."""
        return self.msgid if self.context is None else f"{self.context}\x04{self.msgid}"


def _string(lines: list[str]) -> str:
    # PO strings use C's escapes, which Python's string literals read alike.
    return "".join(ast.literal_eval(line) for line in lines)


def entries(path: Path) -> list[Entry]:
    """The entries of a PO file, the header included (its msgid is empty)."""
    found = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags: set[str] = set()
        obsolete = False
        fields: dict[str, list[str]] = {}
        current = None
        for raw in block.strip().splitlines():
            line = raw
            if line.startswith("#~"):
                obsolete = True
                line = line[2:].strip()
                if line.startswith("|"):
                    continue  # the previous msgid of a fuzzy entry
            elif line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
                continue
            elif line.startswith("#") or not line:
                continue
            if line.startswith('"'):
                fields[current].append(line)
            else:
                current, _space, value = line.partition(" ")
                fields[current] = [value]
        if "msgid" not in fields:
            continue
        msgstrs = [_string(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        plural = _string(fields["msgid_plural"]) if "msgid_plural" in fields else None
        context = _string(fields["msgctxt"]) if "msgctxt" in fields else None
        found.append(Entry(_string(fields["msgid"]), plural, msgstrs, flags, obsolete, context))
    return found


def incomplete(path: Path) -> list[str]:
    """What is wrong with a catalogue's entries, one line each."""
    problems = []
    for entry in entries(path):
        if entry.obsolete:
            problems.append(f"obsolete: {entry.msgid!r}")
        elif entry.msgid and "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif entry.msgid and not all(entry.msgstrs):
            problems.append(f"untranslated: {entry.msgid!r}")
    return problems


def test_there_are_catalogues_to_check():
    assert any(p.name == "django.po" for p in CATALOGUES)
    assert len(entries(CATALOGUES[0])) > 500


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_message_is_translated_and_none_is_fuzzy_or_obsolete(path):
    assert incomplete(path) == []


def test_the_check_finds_an_untranslated_a_fuzzy_and_an_obsolete_entry(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        'msgid "Done"\nmsgstr "完成"\n\n'
        'msgid "Open"\nmsgstr ""\n\n'
        '#, fuzzy\n#| msgid "Closed"\nmsgid "Close"\nmsgstr "已关闭"\n\n'
        '#~ msgid "Old"\n#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    assert incomplete(po) == ["untranslated: 'Open'", "fuzzy: 'Close'", "obsolete: 'Old'"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_compiled_catalogue_is_the_po_file_compiled(path):
    with path.with_suffix(".mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    for entry in entries(path):
        if not entry.msgid:
            continue
        if entry.plural is None:
            assert catalog.get(entry.key) == entry.msgstrs[0], entry.msgid
        else:
            assert catalog.get((entry.key, 0)) == entry.msgstrs[0], entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (Debian gettext)")
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_the_code_marks_for_translation_is_in_the_catalogue(
    domain, tmp_path, monkeypatch
):
    # makemessages on a copy of the package: what it adds to the catalogue is what is missing.
    copy = tmp_path / "smartexpo"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "vendor"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["zh_Hans"], domain=domain, no_location=True, verbosity=0)
    made = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
    if domain == "djangojs":
        # The scripts take their words from the pages (translated in Python and templates):
        # none calls gettext, so there is no catalogue of their own to keep.
        assert not made.exists() or [e for e in entries(made) if e.msgid] == []
        return
    assert incomplete(made) == []
