"""Breaks contract §6 "With two replicas of the implementation ... a standby takes over within its lease when the leader is killed" (C6.3): a standby takes the Lease over three lease durations late.

A replica about to take over a Lease another replica held waits three times the Lease's duration
first (once). It still writes nothing while the other leads, and every task still runs once; only
the take-over is late. A Lease nobody holds (released on a clean stop) is taken at once.
"""
import time

from harness.controller import leader
from mutants.compose import wrap

LATE_BY_LEASES = 3


def late_take_over(update):
    waited = []

    def updated(self, name, namespace, updated_record):
        if not waited and updated_record.holder_identity == self.identity:
            found, current = self.get(name, namespace)
            holder = getattr(current, "holder_identity", None) if found else None
            if holder and holder != self.identity:
                waited.append(True)
                leader.log.info("taking Lease %s/%s over from %s late", namespace, name, holder)
                time.sleep(LATE_BY_LEASES * float(updated_record.lease_duration))
        return update(self, name, namespace, updated_record)
    return updated


def install() -> None:
    wrap(leader._Lock, "update", late_take_over)
