"""The apps of `src/smartexpo` and the imports between them: the layers they must keep, and the
graph drawn in `docs/architecture.md`.

    python scripts/app_graph.py          # print the graph (Mermaid)
    python scripts/app_graph.py --write  # redraw it in docs/architecture.md

`tests/core/test_structure.py` holds the code to these layers and the document to the code.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "smartexpo"
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- app graph: begin -->", "<!-- app graph: end -->"

# From the bottom up. An app imports only apps of lower layers; apps of one layer do not import
# each other. The project's own modules (settings, urls, wsgi, its commands) sit on top of all.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("venue",),
    ("devices",),
    ("exhibitors",),
    ("tickets",),
    ("crowd", "programme", "leads"),
    ("checkin",),
    ("streams", "recommend"),
    ("meetings", "deals", "planning"),
    ("privacy", "web", "reports"),
    ("portal",),
    ("demo",),
    ("project",),
]
PROJECT_MODULES = {"settings", "urls", "wsgi", "apps", "management", "__main__", "__init__"}


def layer_of(app: str) -> int:
    for level, apps in enumerate(LAYERS):
        if app in apps:
            return level
    raise KeyError(app)


def app_of(path: Path) -> str:
    """The app a source file belongs to ("project" for the package's own top modules)."""
    first = path.relative_to(PACKAGE).parts[0]
    return "project" if first.removesuffix(".py") in PROJECT_MODULES else first


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def imported_apps(path: Path) -> set[tuple[str, int]]:
    """(app, line) of every `smartexpo.<app>` this file imports, at any depth of the code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "smartexpo":
                names = [f"smartexpo.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "smartexpo" and len(parts) > 1:
                app = "project" if parts[1] in PROJECT_MODULES else parts[1]
                found.add((app, node.lineno))
    return found


def app_imports() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → the `file:line`s that make the arrow."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in source_files():
        app = app_of(path)
        for target, line in sorted(imported_apps(path)):
            if target != app:
                edges[(app, target)].append(f"{path.relative_to(ROOT)}:{line}")
    return dict(edges)


def mermaid() -> str:
    """The graph as Mermaid, one row of boxes a layer, top layer first."""
    edges = app_imports()
    lines = ["```mermaid", "flowchart TB"]
    for level in reversed(range(len(LAYERS))):
        names = " & ".join(LAYERS[level])
        lines.append(f"    %% layer {level}: {names}")
        for app in LAYERS[level]:
            lines.append(f"    {app}[{app}]")
    for source, target in sorted(edges):
        lines.append(f"    {source} --> {target}")
    lines.append("```")
    return "\n".join(lines)


def document_with_graph(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{mermaid()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"redraw the graph in {DOC.name}")
    args = parser.parse_args(argv)
    if args.write:
        DOC.write_text(document_with_graph(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(mermaid())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
