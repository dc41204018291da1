"""Answers kept per process under the ledger's head (docs/caches.md, "Deals").

Every change of any deal of an edition appends a log entry and moves the edition's head, in the
same transaction (`services.ledger.log_append`). So an answer made only from the edition's deals
is the same for as long as the head is: it is kept under (edition, head, what was asked) and
made again when the head moves. Servers never share it and need not: each reads the head from
the database on every request, and the same head gives every server the same answer.

A request that reads the head just before a write commits and the deals just after keeps the
newer answer under the older head; no request reads that head after the commit, so nothing
stale is ever served.
"""

from __future__ import annotations

from smartexpo.core.memo import HeadMemo

KEPT = 512


API = HeadMemo(KEPT)
PAGES = HeadMemo(KEPT)


def forget_all() -> None:
    """Drop every kept answer (tests rebuild the database under the process)."""
    API.forget()
    PAGES.forget()
