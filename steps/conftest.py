"""Fixtures every step module shares come from harness.plugin (cluster, kube, namespace,
implementation); step definitions used by several features live in harness/library."""
