"""The test doubles the unit tests share, in one place: the harness's reads of a cluster
(`cluster_reads`), the reference controller's API (`controller_api`), and a `kind` executable that
records what it was asked (`kind`). Doubles that play one test's script stay in that test."""
