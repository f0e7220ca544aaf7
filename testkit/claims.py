"""The claims a notebook's code shows: the ids in its ``comsim.claim("id", ...)`` and
``comsim.claims("id", "id", ...)`` calls, in order."""

from __future__ import annotations

import re

_CALL = re.compile(r"\bclaims?\(([^)]*)\)")
_ID = re.compile(r'"([a-z0-9-]+)"')


def claim_ids(source: str) -> list[str]:
    """Every claim id that ``source`` passes to comsim.claim or comsim.claims, in order."""
    return [claim_id for call in _CALL.findall(source) for claim_id in _ID.findall(call)]
