"""Cluster providers: simulated (local control plane + kwok), kind, and an existing cluster."""
