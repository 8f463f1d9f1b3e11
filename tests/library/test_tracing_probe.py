"""The wait until an implementation traces (harness/library/tracing_setup.py): probe versions until a span arrives."""
from __future__ import annotations

import pytest

from harness.eventually import WaitTimedOut
from harness.library import tracing_setup
from harness.library.otlp_receiver import ReceivedSpan
from harness.timeouts import TIMEOUTS, Timeouts, configure


class Implementation:
    """A cluster whose implementation ends each probe version at once and traces only from the
    `traced_from`-th version on."""

    def __init__(self, traced_from: int | None):
        self.traced_from, self.versions, self.received = traced_from, [], []
        self.address = "127.0.0.1:4317"

    def create(self, manifest):
        self._deploy(manifest["spec"]["version"])

    def patch(self, kind, name, namespace, patch):
        self._deploy(patch["spec"]["version"])

    def _deploy(self, version):
        self.versions.append({"metadata": {"creationTimestamp": f"2030-01-01T00:00:{len(self.versions):02d}Z"},
                              "spec": {"appName": tracing_setup.PROBE_APP, "version": version},
                              "status": {"status": "Succeeded"}})
        if self.traced_from is not None and len(self.versions) >= self.traced_from:
            self.received.append(ReceivedSpan("1" * 32, "2" * 16, "", version, (), {}, 0.0))

    def list(self, kind, namespace=None):
        return self.versions

    def spans(self):
        return self.received


@pytest.fixture
def short_waits():
    before = TIMEOUTS.current
    configure(Timeouts(lifecycle=1.0, poll_interval=0.01))
    yield
    configure(before)


def test_probe_versions_are_deployed_until_one_is_traced(short_waits):
    cluster = Implementation(traced_from=3)
    tracing_setup.wait_until_traced(cluster, "demo", cluster)
    assert [v["spec"]["version"] for v in cluster.versions] == ["0.0.1", "0.0.2", "0.0.3"]


def test_an_implementation_that_never_traces_times_out_saying_so(short_waits):
    cluster = Implementation(traced_from=None)
    with pytest.raises(WaitTimedOut, match="a span of any version at the OTLP receiver .* no span received"):
        tracing_setup.wait_until_traced(cluster, "demo", cluster)
