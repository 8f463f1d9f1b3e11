"""Fixtures every step module shares come from harness.pytest_plugin (cluster, kube, namespace,
implementation); step definitions used by several features live in harness/library."""
