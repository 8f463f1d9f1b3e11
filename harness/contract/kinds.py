"""Every kind the controller reads or writes: group, version and plural, in one table."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    kind: str
    group: str  # "" for the core group
    version: str
    plural: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


_LIFECYCLE = "lifecycle.keptn.sh"
APP = Kind("KeptnApp", _LIFECYCLE, "v1", "keptnapps")
APP_CONTEXT = Kind("KeptnAppContext", _LIFECYCLE, "v1", "keptnappcontexts")
APP_VERSION = Kind("KeptnAppVersion", _LIFECYCLE, "v1", "keptnappversions")
WORKLOAD = Kind("KeptnWorkload", _LIFECYCLE, "v1", "keptnworkloads")
WORKLOAD_VERSION = Kind("KeptnWorkloadVersion", _LIFECYCLE, "v1", "keptnworkloadversions")
TASK = Kind("KeptnTask", _LIFECYCLE, "v1", "keptntasks")
TASK_DEFINITION = Kind("KeptnTaskDefinition", _LIFECYCLE, "v1", "keptntaskdefinitions")
EVALUATION = Kind("KeptnEvaluation", _LIFECYCLE, "v1", "keptnevaluations")
EVALUATION_DEFINITION = Kind("KeptnEvaluationDefinition", _LIFECYCLE, "v1", "keptnevaluationdefinitions")
CONFIG = Kind("KeptnConfig", "options.keptn.sh", "v1alpha1", "keptnconfigs")
METRIC = Kind("KeptnMetric", "metrics.keptn.sh", "v1", "keptnmetrics")
JOB = Kind("Job", "batch", "v1", "jobs")
DEPLOYMENT = Kind("Deployment", "apps", "v1", "deployments")
NAMESPACE = Kind("Namespace", "", "v1", "namespaces", namespaced=False)
CONFIG_MAP = Kind("ConfigMap", "", "v1", "configmaps")
EVENT = Kind("Event", "", "v1", "events")
POD = Kind("Pod", "", "v1", "pods")

WATCHED = (APP, APP_CONTEXT, APP_VERSION, WORKLOAD, WORKLOAD_VERSION, TASK, TASK_DEFINITION, EVALUATION,
           EVALUATION_DEFINITION, CONFIG, METRIC, JOB, DEPLOYMENT, NAMESPACE)
