"""The GitOps pipeline writes a stage's metric as its provider would (issue 22): Keptn's evaluation
reads status.rawValue, and failed with "empty rawValue" on a status that had only `value`."""
from __future__ import annotations

import base64
from types import SimpleNamespace

from harness.gitops.pipeline import Evaluation
from harness.gitops.running import PipelineRun


class _Kube:
    def __init__(self):
        self.patches = []

    def patch_status(self, kind, name, namespace, body):
        self.patches.append((kind, name, namespace, body))


def test_a_stages_metric_status_carries_value_raw_value_and_last_updated():
    kube = _Kube()
    stage = SimpleNamespace(evaluation=Evaluation("error-rate", "<1", "0.1", "5"))
    run = SimpleNamespace(pipeline=SimpleNamespace(stage=lambda name: stage),
                          sites={"staging": SimpleNamespace(kube=kube, namespace="t-1-staging")},
                          metric_values={"staging": "0.1"})
    assert PipelineRun._write_metric(run, "staging") is True
    ((kind, name, namespace, body),) = kube.patches
    assert (kind, name, namespace) == ("KeptnMetric", "error-rate", "t-1-staging")
    status = body["status"]
    assert status["value"] == "0.1" and base64.b64decode(status["rawValue"]) == b"0.1"
    assert status["lastUpdated"].endswith("Z")
