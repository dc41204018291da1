"""The one parser of the JSON request bodies that the API reads itself (hot routes, batches).

`json.loads` raises `RecursionError`, not `ValueError`, for a document nested deeper than the
interpreter's recursion limit (a few bytes per level: `[[[[…` of 100 KB is enough), so each
caller catching only `ValueError` answered such a body with a 500.
"""

from __future__ import annotations

import json
from typing import Any

from smartexpo.core.errors import SmartExpoError


def json_body(raw: bytes) -> Any:
    """The parsed body (None for an empty one); 400 `malformed` for anything that is not JSON
    in UTF-8, or that is nested too deeply to parse."""
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise SmartExpoError("malformed", "The request body is not valid JSON.") from None
