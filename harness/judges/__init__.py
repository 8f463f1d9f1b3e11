"""The judges: every check a Then-step makes, one module per section of `docs/contract.md`.

A judge reads objects and clocks the implementation does not write (the API server's, the
recorder's watch), refuses with a message that says what it saw, and has a unit test under
`tests/` in which it fails (`tests/judges/test_judges_refuse.py` keeps that so for this package).

- `objects` — §1 the lifecycle kinds: CRDs, served and stored versions, upgrades
- `app_versions` — §2 how an app version comes to exist
- `lifecycle` — §3 phases in order, side by side, behind the feature flag
- `failures` — §4 what a failed phase does to the version, its items and its reasons
- `tasks_and_jobs` — §5 a promotion task, its Job, its context
- `stricter` — §6 where the suite asks more than Keptn: `exactly_once`, `leadership`, `quiet`
  (no hot loop), `reasons` (bad input refused or reported), `survival` (kills, crashes)
- `stages` — §9 across stages, through Git and Flux
- `tracing` — §10 trace carrier and spans
- `cluster` — no section: the cluster a provider made behaves as Kubernetes does

The step library (harness/library/) makes, finds and measures; a judge decides.
"""
