"""The dashboard's booking-curve chart, drawn on the server as SVG (as the lanes page draws its
gate charts): ticket-days booked so far against days before the opening, this edition up to
today and the previous edition over its whole curve."""

from __future__ import annotations

WIDTH, HEIGHT = 640.0, 220.0
LEFT, RIGHT, TOP, BOTTOM = 56.0, 12.0, 12.0, 34.0
# A curve of bookings made years ahead would squeeze the months that matter into a sliver.
MAX_LEAD_DAYS = 365
TICKS = 6


def _cumulative(counts: dict[int, int], leads: list[int]) -> list[int]:
    """Ticket-days booked at least d days before the opening, for each d of `leads` (falling)."""
    total, out = 0, []
    ordered = sorted(counts.items(), reverse=True)
    i = 0
    for d in leads:
        while i < len(ordered) and ordered[i][0] >= d:
            total += ordered[i][1]
            i += 1
        out.append(total)
    return out


def booking_chart(mine: dict[int, int], theirs: dict[int, int] | None, lead: int) -> dict:
    """The chart's geometry: a polyline per edition, today's lead as a vertical line, axis
    ticks. `mine` and `theirs` are ticket-days by days before the opening; `lead` is today's."""
    every = [*mine, *(theirs or {}), lead, 0]
    far = min(max(every), MAX_LEAD_DAYS)
    near = max(min(every), -MAX_LEAD_DAYS)
    # Bookings made further ahead than the chart reaches are counted at its left edge.
    leads = list(range(far, near - 1, -1))
    span = max(far - near, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(d: int) -> float:
        return round(LEFT + (far - d) / span * plot_w, 1)

    ours = _cumulative(mine, leads)
    prev = _cumulative(theirs, leads) if theirs is not None else []
    top = max([*ours, *prev, 1])

    def y(n: int) -> float:
        return round(TOP + plot_h - n / top * plot_h, 1)

    mine_leads = [d for d in leads if d >= lead]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "mine": " ".join(f"{x(d)},{y(n)}" for d, n in zip(mine_leads, ours, strict=False)),
        "previous": " ".join(f"{x(d)},{y(n)}" for d, n in zip(leads, prev, strict=False)),
        "today_x": x(min(max(lead, near), far)),
        "top": TOP,
        "base_y": TOP + plot_h,
        "left": LEFT,
        "tick_x": LEFT - 4,
        "right": WIDTH - RIGHT,
        "label_y": TOP + plot_h + 14,
        "x_ticks": [
            {"x": x(d), "label": d}
            for d in sorted({far - round(k * span / (TICKS - 1)) for k in range(TICKS)})
        ],
        "y_ticks": [{"y": y(round(top * k / 4)), "label": round(top * k / 4)} for k in range(5)],
        "max": top,
    }
