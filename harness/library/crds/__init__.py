"""CRD compatibility on a real API server (features/compatibility), one concern per module:

- `own_cluster`: the simulated cluster of their own (they replace cluster-wide CRDs);
- `crd_sets`: which CRDs: the previous release, the implementation's (its adapter's files, or read
  back from the run's cluster), this project's own, rolled back;
- `installing`: applying a set, waiting until the API server acts on it, storedVersions;
- `versioned_access`: reading and writing objects through an explicit version;
- `etcd_storage`: the object as etcd holds it, and migrating storage;
- `implementation`: the implementation under test started on that cluster;
- `scenario_objects`: the objects the scenarios write, and what reading them back must show.

The judges of what the API server answers and of CRD documents are in harness/judges/objects.py.
"""
