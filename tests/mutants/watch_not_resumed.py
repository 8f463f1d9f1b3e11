"""Breaks contract §6 "Every task runs once and every version completes when the API server restarts while promotion tasks run" (C6.4): a watch that breaks is never resumed.

When a watch ends with an error (the API server went away), the informer's thread keeps living but
watches no more: the cache stops seeing changes, and what waits on them waits for ever. A watch the
server ends normally (its timeout) is resumed as before, so nothing changes while the API server stays.
"""
from harness.controller import watches
from mutants.compose import wrap


def stop_after_an_error(watch):
    def watched(self, resource_version):
        try:
            return watch(self, resource_version)
        except Exception:
            watches.log.warning("watch of %s broke; not watching again", self.kind.kind)
            self._stop.wait()  # until the process stops
            raise
    return watched


def install() -> None:
    wrap(watches.Informer, "_watch", stop_after_an_error)
