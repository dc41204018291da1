"""System checks of ticketing: what a ticket's PDF needs from the machine."""

from __future__ import annotations

from django.core import checks

from smartexpo.tickets import render


@checks.register()
def cjk_font_installed(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An error when the CJK font the PDF tickets embed is missing: every PDF ticket, and so
    every confirmation email, would fail, so `smartexpo check` and `serve` say it up front."""
    problem = render.cjk_font_problem()
    if problem is None:
        return []
    return [
        checks.Error(
            problem,
            hint=f"apt-get install {render.CJK_FONT_PACKAGE}",
            id="smartexpo.tickets.E001",
        )
    ]
