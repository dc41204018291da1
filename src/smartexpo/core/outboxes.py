"""Outboxes of higher apps that the mailer sends from: the tickets mailer sits below them and
cannot import them, so each registers its sender here in its `AppConfig.ready()`.

A sender is called as `sender(limit=…)`, sends at most that many pending emails and returns
how many it sent; the mailer calls every registered sender on each pass of its loop.
"""

from __future__ import annotations

from collections.abc import Callable

Sender = Callable[..., int]

_senders: list[Sender] = []


def sender_register(sender: Sender) -> None:
    """Have the mailer call `sender` on each pass (registering it twice calls it once)."""
    if sender not in _senders:
        _senders.append(sender)


def senders() -> list[Sender]:
    """The registered senders, in the order they were registered."""
    return list(_senders)


def outboxes_send(*, limit: int = 50) -> int:
    """Call every registered sender once; how many emails they sent in all."""
    return sum(sender(limit=limit) for sender in senders())
