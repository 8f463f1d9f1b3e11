"""The reference promotion-phase controller (docs/contract.md).

Where things are decided:
- states.py, phases.py, aggregation.py, outcome.py: contract §1, the §3 phase table, the §3
  aggregation rule and the §4 failure table; lifecycle.py walks them for one version.
- naming.py, tracing.py: object names and trace context; app_versions.py, workload_versions.py,
  checks.py, jobs.py: the objects the controller creates, as pure functions returning dicts.
- definitions.py, durations.py, evaluation.py, deployments.py: reading definitions, durations,
  evaluation targets and Deployments.
- reconcile_*.py: one reconciler per kind; phase_checks.py creates a phase's tasks/evaluations;
  versions.py stores a version's pass.
- queue.py, store.py, watches.py, triggers.py, manager.py: the event-driven machinery (contract §6).
- kube.py, events.py, metrics.py, health.py, leader.py, settings.py, app.py: API, events,
  Prometheus, probes, leader election, flags, entry point.
"""
