"""Requests the API server refused as wrong (400, 413, 422), remembered until what they were built
from changes, so that they are not sent again meanwhile.

A refused Job or KeptnTask cannot pass on a second try, and the refusal's message may name things
that differ on every try (the random suffix of a name, a uid the API server generated): written
into a status, such a message changes that status each time and wakes the object again, a loop.
So the first refusal is reported, and the request is sent again only once its inputs changed (a
resourceVersion or generation, given by the caller). In memory: after a restart a refused request
is tried once more.
"""
from __future__ import annotations

import threading
from collections.abc import Hashable


class Refusals:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refused: dict[Hashable, tuple[str, str]] = {}  # what → (inputs, message)

    def known(self, what: Hashable, inputs: str) -> str | None:
        """The message of the refusal of `what` built from these inputs; None if not refused."""
        with self._lock:
            found = self._refused.get(what)
        return found[1] if found and found[0] == inputs else None

    def remember(self, what: Hashable, inputs: str, message: str) -> None:
        with self._lock:
            self._refused[what] = (inputs, message)

    def forget(self, what: Hashable) -> None:
        with self._lock:
            self._refused.pop(what, None)
