"""§6 of docs/contract.md: where the suite asks more than Keptn does."""
from __future__ import annotations
