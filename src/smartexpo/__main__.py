"""The `smartexpo` console script: Django's command line plus the project's own commands.

`smartexpo migrate`, `smartexpo demo seed`, `smartexpo token create`, `smartexpo serve`, and
every other `manage.py` command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["smartexpo", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
