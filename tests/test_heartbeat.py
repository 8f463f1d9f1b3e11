"""Progress for slow work: a line at least every interval while the block runs, none after it."""
from __future__ import annotations

import threading

from harness.heartbeat import heartbeat, last_line


def test_a_slow_block_says_how_long_it_has_taken_until_it_ends():
    said: list[str] = []
    finished = threading.Event()
    with heartbeat(said.append, "compiling kube-apiserver", every=0.05, detail=lambda: "k8s.io/apiserver/pkg/server"):
        finished.wait(0.28)
    count = len(said)
    assert count >= 3, said
    assert said[0].startswith("still compiling kube-apiserver (0s so far): k8s.io/apiserver/pkg/server")
    finished.wait(0.15)
    assert len(said) == count, "it went on talking after the block ended"


def test_a_quick_block_says_nothing():
    said: list[str] = []
    with heartbeat(said.append, "building", every=5):
        pass
    assert said == []


def test_the_detail_is_the_last_line_of_a_log(tmp_path):
    log = tmp_path / "build.log"
    log.write_text("go: downloading k8s.io/api v0.36.3\nk8s.io/kubernetes/pkg/apis/core\n\n")
    assert last_line(log)() == "k8s.io/kubernetes/pkg/apis/core"
    assert last_line(tmp_path / "missing.log")() == ""
