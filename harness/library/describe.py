"""Short, readable summaries of objects for failure messages."""
from __future__ import annotations

import json


def conditions(obj: dict) -> str:
    conds = (obj.get("status") or {}).get("conditions") or []
    return ", ".join(f"{c.get('type')}={c.get('status')}({c.get('reason', '')})" for c in conds) or "no conditions"


def status(obj: dict) -> str:
    return json.dumps(obj.get("status") or {}, sort_keys=True, default=str)[:1500]
