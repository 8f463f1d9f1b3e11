"""Multi-stage GitOps promotion: the pipeline and what runs it. The simulated cluster's host runner,
which runs the promotion script's container on this host, is a part of that cluster
(harness/clusters/host_runner.py); the judges of a run are in harness/judges/stages.py, and the
`simulate` command that drives one end to end is harness/simulate/.

- `pipeline`: the pipeline file (stages, releases, faults), checked against pipeline.schema.json;
- `git_server`: a Git repository per scenario, served over smart HTTP on 127.0.0.1 by Git itself;
- `repository`: the GitOps repository, one folder per stage, and the promotion task;
- `history`: the repository's commits as the judges read them;
- `flux`: Flux's source-controller and kustomize-controller, built from the Go module proxy by the
  toolchain (harness/clusters/toolchain.py) and run as local processes against a cluster;
- `clusters`, `running`, `diagnostics`: the stages' clusters, a running pipeline, its evidence.
"""
