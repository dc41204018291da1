"""The post-show report's charts, drawn on the server with matplotlib as PNG images: visitors
per day against the forecast and the previous edition, admissions per gate and day, and each
hall's time at each crowd level.

Headless and self-contained: the Agg backend (no display), matplotlib's cache in the data
directory (`SMARTEXPO_DATA_DIR/matplotlib`, not the home directory), and every text set in the
WenQuanYi Zen Hei file of Debian's `fonts-wqy-zenhei` (the one the PDFs embed,
`tickets.render.CJK_FONT_FILE`), which has Latin and Chinese glyphs: nothing is fetched.
"""

from __future__ import annotations

import io
import os
import threading

from django.conf import settings
from django.utils.translation import gettext as _

from smartexpo.crowd import live
from smartexpo.tickets import render

DPI = 150
_lock = threading.Lock()
_font = None


def matplotlib_home() -> None:
    """Point matplotlib's config and cache dir at `DATA_DIR/matplotlib` unless the environment
    names one (`MPLCONFIGDIR`). matplotlib reads it once, when first imported: the app's
    `ready()` calls this at start-up."""
    if "MPLCONFIGDIR" not in os.environ:
        config = settings.DATA_DIR / "matplotlib"
        config.mkdir(parents=True, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(config)


def _pyplot():
    """matplotlib's pyplot, set up once: Agg, its config dir in the data directory."""
    global _font
    if _font is None:
        matplotlib_home()
        import matplotlib

        matplotlib.use("Agg", force=True)
        # The font has no U+2212 MINUS SIGN: negative ticks (an empty chart's) take "-".
        matplotlib.rcParams["axes.unicode_minus"] = False
        from matplotlib import font_manager

        if problem := render.cjk_font_problem():
            raise render.CjkFontMissing(problem)
        _font = font_manager.FontProperties(fname=str(render.CJK_FONT_FILE))
    from matplotlib import pyplot

    return pyplot


def _png(figure, pyplot) -> bytes:
    buffer = io.BytesIO()
    # No date in the PNG: the same figures give the same bytes.
    # "tight": the legends beside the plot are inside the picture.
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    pyplot.close(figure)
    return buffer.getvalue()


def _style(axes, title: str, ylabel: str) -> None:
    axes.set_title(title, fontproperties=_font, fontsize=11)
    axes.set_ylabel(ylabel, fontproperties=_font, fontsize=9)
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontproperties(_font)
        label.set_fontsize(8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)


def _legend(axes) -> None:
    # Outside the plot, to the right: it never hides a bar.
    legend = axes.legend(prop=_font, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for text in legend.get_texts():
        text.set_fontsize(8)


def visitors_chart(section: dict) -> bytes:
    """Bars of each day's visitors, the forecast's expected count with its 80 % interval, and
    the previous edition's visitors on the day of the same number."""
    with _lock:  # pyplot's state is global
        pyplot = _pyplot()
        figure, axes = pyplot.subplots(figsize=(7.5, 3.2))
        rows = section["days"]
        x = list(range(len(rows)))
        width = 0.27
        axes.bar(
            [i - width for i in x],
            [r["visitors"] or 0 for r in rows],
            width,
            color="#1f5fa8",
            label=_("Visitors"),
        )
        forecast = [(i, r) for i, r in zip(x, rows, strict=True) if r["forecast"] is not None]
        if forecast:
            mids = [r["forecast"] for _i, r in forecast]
            errors = [
                [r["forecast"] - r["forecast_low"] for _i, r in forecast],
                [r["forecast_high"] - r["forecast"] for _i, r in forecast],
            ]
            axes.bar(
                [i for i, _r in forecast],
                mids,
                width,
                color="#9ec3e6",
                yerr=errors,
                capsize=3,
                label=_("Forecast (interval: 80 %)"),
            )
        if section["previous"] is not None:
            axes.bar(
                [i + width for i in x],
                [r["previous"] or 0 for r in rows],
                width,
                color="#b0b0b0",
                label=_("Previous edition"),
            )
        axes.set_xticks(x, [f"{r['day']}" for r in rows])
        _style(axes, _("Visitors per day"), _("Visitors"))
        _legend(axes)
        figure.tight_layout()
        return _png(figure, pyplot)


# Gates drawn apart in the chart; the others (the room doors' scanners, say) are summed.
CHART_GATES = 8


def gates_chart(section: dict) -> bytes:
    """Stacked bars: each day's admissions, one colour for each of the `CHART_GATES` gates
    with the most, the others together (the table lists them all)."""
    gates = sorted(section["gates"], key=lambda g: (-g["total"], g["code"]))
    shown = [(g["code"], g["days"]) for g in gates[:CHART_GATES]]
    rest = gates[CHART_GATES:]
    if rest:
        days = [sum(g["days"][i] for g in rest) for i in range(len(section["days"]))]
        shown.append((_("Other gates (%(n)s)") % {"n": len(rest)}, days))
    with _lock:
        pyplot = _pyplot()
        figure, axes = pyplot.subplots(figsize=(7.5, 3.2))
        days = section["days"]
        bottom = [0] * len(days)
        colours = pyplot.get_cmap("tab10").colors
        for i, (label, counts) in enumerate(shown):
            axes.bar(days, counts, 0.6, bottom=bottom, color=colours[i % 10], label=label)
            bottom = [b + n for b, n in zip(bottom, counts, strict=True)]
        _style(axes, _("Admissions per gate and day"), _("Admissions"))
        if shown:
            _legend(axes)
        figure.tight_layout()
        return _png(figure, pyplot)


def levels_chart(section: dict, language: str) -> bytes:
    """Horizontal stacked bars: each hall's hours at levels A to F, in the live page's
    colours."""
    with _lock:
        pyplot = _pyplot()
        rows = section["halls"]
        figure, axes = pyplot.subplots(figsize=(7.5, max(1.8, 0.32 * len(rows) + 1.2)))
        names = [f"{r['code']} {r['name'][language]}" for r in rows]
        left = [0.0] * len(rows)
        for letter in section["levels"]:
            hours = [r["minutes"][letter] / 60 for r in rows]
            colour, _ink = live.level_style(letter)
            axes.barh(names, hours, left=left, color=colour, label=letter)
            left = [a + b for a, b in zip(left, hours, strict=True)]
        axes.invert_yaxis()
        _style(axes, _("Hours at each crowd level (opening hours)"), "")
        axes.set_xlabel(_("Hours"), fontproperties=_font, fontsize=9)
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        legend = axes.legend(prop=_font, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        for text in legend.get_texts():
            text.set_fontsize(7)
        figure.tight_layout()
        return _png(figure, pyplot)
