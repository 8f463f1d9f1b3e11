"""The one interface every cluster provider implements, and the error it raises."""
from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path


class ProviderError(RuntimeError):
    """A cluster could not be created, reached or deleted; the message says what and why."""


class ClusterProvider(ABC):
    """A named cluster the harness can bring up, reach through a kubeconfig, and tear down."""

    #: provider name as given on the command line ("simulated", "kind", "existing")
    kind: str = ""
    #: whether pods really run their containers (kind, existing) or are simulated (kwok)
    real_nodes: bool = False

    def __init__(self, name: str):
        self.name = name

    @property
    @abstractmethod
    def kubeconfig(self) -> Path:
        """Absolute path of a kubeconfig file for this cluster only."""

    @abstractmethod
    def create(self) -> None:
        """Bring the cluster up and return once its API server is ready."""

    @abstractmethod
    def delete(self) -> None:
        """Remove the cluster and every process it started; no error if it is already gone."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether a cluster of this name is known to the provider."""

    @abstractmethod
    def export_logs(self, dest: Path) -> None:
        """Copy the cluster's component logs into dest (created if needed)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
