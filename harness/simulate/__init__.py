"""`promotion-conformance simulate`: a GitOps pipeline (harness/gitops/) driven end to end and judged
(harness/judges/stages.py).

- `command`: the command — clusters, implementation, releases, faults, the live view, the end;
- `flow`: what a scenario or a simulation does to a running pipeline (release on a schedule,
  release while killing the implementation);
- `journeys`, `simulation_report`, `lanes`: each version's journey, the SimulationReport
  (checked against simulation-report.schema.json) and its picture.
"""
