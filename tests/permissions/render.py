"""Render the permission matrix as docs/permissions.md.

    python -m tests.permissions.render docs/permissions.md   # or: make permissions
    python -m tests.permissions.render                       # to standard output

Pure Python (no Django): the page is the data of `matrix.py`, laid out.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.permissions.matrix import ALLOWED, OUTCOMES, ROLES, ROWS

INTRO = """\
# Permissions

<!-- Generated from tests/permissions/rows/ and terms.py by `make permissions`: edit those. -->

Who may do what: every route SmartExpo answers (the JSON API, the pages, the admin) in one row,
every role in one column. The table is also the test: `tests/permissions` makes every cell's
request through the production WSGI application (`smartexpo.wsgi.application`, what
`smartexpo serve` runs) and checks the answer, fails when a route has no row (new endpoints
included), and fails when this page is not the rendering of its data.

How the cells are asked:

- **Real objects.** Every address names objects that exist (an edition, an exhibitor, a
  registration and its ticket, a device, an alert, one record of every admin model), so a
  refusal is an answer about who asked, never about something missing. Addresses point at
  edition A (`test-2019`); edition B only lends its exhibitor and devices.
- **Valid requests.** Each row's request (path, query and body) is one that a role that may
  make it makes successfully: *allowed* means the request did what it asks (2xx, or the
  redirect that follows a page's successful form), not merely "not refused". Writes are rolled
  back after each cell, so every cell starts from the same state.
- **Credentials as they travel.** API tokens and manage tokens are sent as
  `Authorization: Bearer …`; the admin's accounts as their session cookie (pages' forms with
  their CSRF token). The API ignores sessions and the pages ignore bearer tokens: the matrix
  shows it.
- **Manage tokens** are a registration's own credential: its registration and tickets
  accept it, and another registration's token is answered 404 there, so that nobody learns
  whether a registration exists. Elsewhere the API's bearer check looks up API tokens only, so
  a manage token is a 401 like a token it does not know.
- **Links that carry a token** (a registration's manage page, a waiting-list offer) are their
  own credential: whoever has the address gets the page, whatever else they send.
- **Hot routes** (⚡: registration, scans, sync, occupancy) answer ahead of Django in
  production; their ninja operation, which any other WSGI server would run, is asked too and
  must answer the same.
- **Pages** are asked at their English address; `/zh-hans/…` is the same view.
"""


def _cell(outcome: str) -> str:
    return f"✓ {outcome}" if outcome in ALLOWED else outcome


def _table(rows) -> list[str]:
    head = ["method", "path", *(r.column for r in ROLES)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        path = f"`{row.path}`" + (" ⚡" if row.hot else "")
        if row.variant:
            path += f" ({row.variant})"
        cells = [row.method, path, *(_cell(row.outcomes[r.key]) for r in ROLES)]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"- `{row.method} {row.path}`: {row.note}." for row in rows if row.note]
    return lines + (["", *notes] if notes else [])


def render() -> str:
    cells = sum(len(ROLES) * (2 if row.hot else 1) for row in ROWS)
    out = [INTRO]
    out.append(
        f"{len(ROWS)} rows × {len(ROLES)} roles: {cells} cells asked (the hot routes twice).\n"
    )
    out.append("## Roles\n")
    out.append("| column | who |")
    out.append("|---|---|")
    out += [f"| {r.column} | {r.who} |" for r in ROLES]
    out.append("\n## Legend\n")
    out.append("| cell | meaning |")
    out.append("|---|---|")
    out += [f"| {_cell(code)} | {meaning} |" for code, meaning in OUTCOMES.items()]
    for area in dict.fromkeys(row.area for row in ROWS):
        rows = [row for row in ROWS if row.area == area]
        out.append(f"\n## {area}\n")
        out += _table(rows)
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    text = render()
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
