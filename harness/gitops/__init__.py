"""Multi-stage GitOps promotion, simulated end to end (issue 15).

- `git_server`: a Git repository per scenario, served over smart HTTP on 127.0.0.1 by Git itself;
- `flux_build` and `flux`: Flux's source-controller and kustomize-controller, built from the Go
  module proxy by the toolchain and run as local processes against a cluster;
- `host_runner`: runs the containers of simulated pods that ask for it (env SIM_RUN=host) on this
  host, and reports their exit code as the container's;
- `stages`, `promotion`: a GitOps repository with one folder per stage and the promotion task;
- `pipeline`, `simulate`, `lead_time`, `lanes`: `promotion-conformance simulate` and its report.
"""
