"""Multi-stage GitOps promotion, simulated end to end. The simulated cluster's host runner, which
runs the promotion script's container on this host, is a part of that cluster
(harness/clusters/host_runner.py).

- `git_server`: a Git repository per scenario, served over smart HTTP on 127.0.0.1 by Git itself;
- `flux`: Flux's source-controller and kustomize-controller, built from the Go module proxy by the
  toolchain (harness/clusters/toolchain.py) and run as local processes against a cluster;
- `stages`, `promotion`: a GitOps repository with one folder per stage and the promotion task;
- `pipeline`, `simulate`, `lead_time`, `lanes`: `promotion-conformance simulate` and its report.
"""
