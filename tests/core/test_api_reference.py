"""docs/api.md, the API reference, is held to the generated OpenAPI document and to the code.

The convention: every endpoint has a level-3 heading that is one code span of its method and
its path exactly as the OpenAPI document writes them, and nothing else:

    ### `POST /api/v1/expos/{expo}/registrations`

- Every (method, path) of `smartexpo.urls.api.get_openapi_schema()` has such a heading, once.
- Every `METHOD /api/v1/…` written in a code span anywhere in the page (headings and prose)
  is an operation of the document: the page never describes an endpoint that does not exist.
- The page's table of error codes gives each code the status the code maps it to.

And the project stands alone: nothing under docs/ and no line of the README sends a reader to
files outside it (the `shared/docs` folder next to a maintainer's checkout, or its `API.md`).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "api.md"
METHODS = "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS"
HEADING = re.compile(rf"^### `({METHODS}) (/api/v1/[^`\s]*)`$")
MENTION = re.compile(rf"`({METHODS}) (/api/v1/[^`\s?#]*)")
OUTSIDE = re.compile(rb"\.\./shared|shared/docs|\bAPI\.md\b")


def _operations() -> set[tuple[str, str]]:
    from smartexpo.urls import api

    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def _reference() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def _headings() -> list[tuple[str, str]]:
    return [m.groups() for line in _reference().splitlines() if (m := HEADING.match(line))]


def _listing(pairs, heading: bool = False) -> str:
    lead = "### " if heading else ""
    return "\n".join(f"  {lead}`{method} {path}`" for method, path in sorted(pairs))


def test_the_openapi_document_has_the_api_paths():
    operations = _operations()
    assert len(operations) > 40
    assert all(path.startswith("/api/v1/") for _method, path in operations)


def test_every_operation_of_the_openapi_document_has_its_heading_in_the_reference():
    missing = _operations() - set(_headings())
    assert not missing, (
        "docs/api.md lacks these endpoints of the OpenAPI document; add a section for each, "
        "headed exactly so (who may call it, parameters and body with their limits, answers, "
        f"refusal codes):\n{_listing(missing, heading=True)}"
    )


def test_every_endpoint_written_in_the_reference_exists_in_the_openapi_document():
    written = {m.groups() for m in MENTION.finditer(_reference())}
    unknown = written - _operations()
    assert not unknown, (
        "docs/api.md describes endpoints that the OpenAPI document does not have (renamed, "
        f"removed, or never built):\n{_listing(unknown)}"
    )


def test_endpoint_headings_follow_the_convention_and_appear_once():
    twice = [pair for pair, n in Counter(_headings()).items() if n > 1]
    assert not twice, f"endpoints headed more than once:\n{_listing(twice, heading=True)}"
    loose = [
        line
        for line in _reference().splitlines()
        if line.startswith("#") and MENTION.search(line) and not HEADING.match(line)
    ]
    assert not loose, (
        "an endpoint heading is `### ` and one code span `METHOD /api/v1/path`, nothing else: "
        f"{loose}"
    )


def _documented_error_codes() -> list[tuple[str, int]]:
    section = _reference().split("\n#### Error codes\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| (\d{3}) \|", section, re.M)
    return [(code, int(status)) for code, status in rows]


def test_the_error_code_table_gives_every_code_its_status():
    from smartexpo.core.api import HTTP_CODES
    from smartexpo.core.errors import STATUS_BY_CODE
    from smartexpo.core.middleware import REASONS

    mapped = dict(STATUS_BY_CODE)
    mapped.update({code: status for status, code in HTTP_CODES.items()})
    mapped.update({code: status for status, (code, _message) in REASONS.items()})
    rows = _documented_error_codes()
    documented = dict(rows)
    assert len(documented) == len(rows), "an error code is listed twice"
    wrong = {
        code: (documented.get(code), status)
        for code, status in mapped.items()
        if documented.get(code) != status
    }
    assert not wrong, f"error codes missing or with another status (documented, code): {wrong}"
    # A code that no table maps answers 409, SmartExpoError's default; and it must be one the
    # code can raise, not one it raised once.
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    for code, status in rows:
        if code not in mapped:
            assert status == 409, f"`{code}` answers 409 (SmartExpoError's default)"
            assert f'"{code}"' in source, f"`{code}` is documented but never raised"


def test_the_docs_and_the_readme_never_send_readers_outside_the_project():
    found = []
    for path in sorted((ROOT / "docs").rglob("*")):
        if path.is_file() and OUTSIDE.search(path.read_bytes()):
            found.append(str(path.relative_to(ROOT)))
    readme = (ROOT / "README.md").read_bytes().splitlines()
    found += [f"README.md:{n}" for n, line in enumerate(readme, 1) if OUTSIDE.search(line)]
    assert not found, (
        "a user's clone has only this project: point readers at docs/api.md (or another file "
        f"of the project) instead of shared/docs or API.md: {found}"
    )
