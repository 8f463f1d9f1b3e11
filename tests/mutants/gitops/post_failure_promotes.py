"""A deliberately broken implementation: the reference controller with contract §4 broken so that a
failed post-deployment phase does not deprecate promotion. In blocking mode a failed
AppPostDeployTasks or AppPostDeployEvaluations phase is settled as in non-blocking mode (Warning),
so the version goes on to run its promotion tasks: it promotes a version that failed.

Used by tests/kill_matrix/test_gitops_mutants.py to show that the gitops scenario FailedEvaluationStopsTheFlow
fails against it. Run by its adapter (post_failure_promotes.yaml beside it):
    python tests/mutants/gitops/post_failure_promotes.py [controller flags]
"""
import sys

from harness.controller import lifecycle
from harness.controller.app import main

POST_DEPLOYMENT = ("AppPostDeployTasks", "AppPostDeployEvaluations")
_settle = lifecycle.settle


def settle(phases, phase, aggregated, block_deployment):
    """The reference's settle, except that post-deployment phases never block."""
    return _settle(phases, phase, aggregated, block_deployment and phase.name not in POST_DEPLOYMENT)


if __name__ == "__main__":
    lifecycle.settle = settle
    sys.exit(main(sys.argv[1:]))
