"""docs/contract.md states the contract in this repository: every word of the contract's
vocabulary (harness/contract) and every conformance feature appears in it, and the README points
at it instead of a file outside the repository."""
from __future__ import annotations

import re

import pytest

from harness.contract import kinds
from harness.contract.job_result import FAILED_CONDITIONS, SUCCEEDED_CONDITIONS
from harness.contract.phases import APP_PHASES
from harness.contract.states import CheckType, KeptnState
from harness.paths import REPO

CONTRACT = (REPO / "docs" / "contract.md").read_text()
README = (REPO / "README.md").read_text()

VOCABULARY = sorted({
    *(k.kind for k in (kinds.APP, kinds.APP_CONTEXT, kinds.APP_VERSION, kinds.WORKLOAD, kinds.WORKLOAD_VERSION, kinds.TASK,
                       kinds.TASK_DEFINITION, kinds.EVALUATION, kinds.EVALUATION_DEFINITION, kinds.CONFIG, kinds.METRIC)),
    *(state.value for state in KeptnState), *(check.value for check in CheckType),
    *(field for phase in APP_PHASES for field in (phase.name, phase.status_field, phase.items_field, phase.list_field)),
    *SUCCEEDED_CONDITIONS, *FAILED_CONDITIONS, "PROMOTION_TASKS_ENABLED", "blockDeployment", "revision", "retries",
    "timeout", "ttlSecondsAfterFinished", "KEPTN_CONTEXT", "SIM_RUN_FOR", "SIM_EXIT_CODE", "keptn.sh/task-name",
    "backoffLimit", "activeDeadlineSeconds", "6b86b273", "keptn.sh/lifecycle-toolkit",
})


@pytest.mark.parametrize("word", VOCABULARY)
def test_the_contract_names_every_word_of_the_vocabulary(word):
    assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", CONTRACT), f"docs/contract.md never says {word}"


def test_the_defaults_that_surprise_are_stated_with_their_values():
    for stated in ("`KeptnTaskDefinition.retries` | 10", "`KeptnTaskDefinition.timeout` | `5m`",
                   "`KeptnTaskDefinition.ttlSecondsAfterFinished` | 300 s", "`KeptnConfig.blockDeployment` | `true`",
                   "raise the KeptnApp's `revision`", "`PROMOTION_TASKS_ENABLED=false`"):
        assert stated in CONTRACT, stated


def test_the_readme_points_at_the_contract_in_this_repository():
    assert "../shared/SPEC.md" not in README and "SPEC.md" not in README
    assert "(docs/contract.md)" in README
