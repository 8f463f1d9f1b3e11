"""A cluster someone else runs, reached through their kubeconfig; the harness never deletes it.

`create()` only checks that the API server answers; `delete()` does nothing. When a context is
named, the harness writes a minimized kubeconfig holding just that context (its cluster and user
with file paths made absolute) to `<cache>/existing/<name>/kubeconfig`, so tools that read only
KUBECONFIG talk to the right cluster.
"""
from __future__ import annotations

from pathlib import Path

import urllib3
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from harness.clusters.provider import ClusterProvider, ProviderError
from harness.paths import cache_dir

# Seconds to wait for the API server's /version before calling it unreachable.
REACH_TIMEOUT_S = 5


class ExistingProvider(ClusterProvider):
    kind = "existing"

    def __init__(self, name: str, kubeconfig: Path | str, context: str | None = None, real_nodes: bool = True):
        """`context` None means the kubeconfig's current-context; `real_nodes` False for a cluster
        whose pods are simulated (e.g. a kwok cluster started by hand)."""
        super().__init__(name)
        self.source = Path(kubeconfig).expanduser().absolute()
        self.context = context
        self.real_nodes = real_nodes

    @property
    def kubeconfig(self) -> Path:
        if self.context is None:
            return self.source
        minimized = cache_dir() / "existing" / self.name / "kubeconfig"
        minimized.parent.mkdir(parents=True, exist_ok=True)
        minimized.write_text(yaml.safe_dump(self._minimized()))
        return minimized

    def create(self) -> None:
        """Check that the cluster answers; raise ProviderError naming the kubeconfig and context if not."""
        self.server_version()

    def delete(self) -> None:
        """Do nothing: the cluster belongs to someone else, and so does its kubeconfig."""

    def exists(self) -> bool:
        try:
            self.server_version()
        except ProviderError:
            return False
        return True

    def export_logs(self, dest: Path) -> None:
        """Write a note instead of logs: an existing cluster's component logs are not the harness's to collect."""
        dest.mkdir(parents=True, exist_ok=True)
        try:
            version = f"API server version: {self.server_version()}"
        except ProviderError as error:
            version = f"API server not reachable: {error}"
        (dest / "existing-cluster.txt").write_text(
            f"Logs of an existing cluster are not collected by the harness.\n"
            f"kubeconfig: {self.source}\n"
            f"context: {self._context_name()}\n"
            f"{version}\n"
        )

    def server_version(self) -> str:
        """The API server's gitVersion (GET /version); ProviderError naming kubeconfig and context if unreachable."""
        context = self._context_name()
        try:
            api = config.new_client_from_config(config_file=str(self.source), context=context)
            with api:
                info = client.VersionApi(api).get_code(_request_timeout=REACH_TIMEOUT_S)
        except (ConfigException, ApiException, urllib3.exceptions.HTTPError, OSError) as error:
            raise ProviderError(
                f"existing cluster {self.name!r} is not reachable through kubeconfig {self.source} "
                f"(context {context!r}): GET /version failed: {error}"
            ) from error
        return info.git_version

    def _load(self) -> dict:
        if not self.source.is_file():
            raise ProviderError(f"existing cluster {self.name!r}: kubeconfig {self.source} does not exist")
        try:
            loaded = yaml.safe_load(self.source.read_text())
        except yaml.YAMLError as error:
            raise ProviderError(f"existing cluster {self.name!r}: kubeconfig {self.source} is not valid YAML: {error}") from error
        if not isinstance(loaded, dict):
            raise ProviderError(f"existing cluster {self.name!r}: kubeconfig {self.source} is not a kubeconfig (expected a mapping)")
        return loaded

    def _context_name(self) -> str:
        """The context to use, checked to exist in the kubeconfig."""
        loaded = self._load()
        name = self.context or loaded.get("current-context")
        if not name:
            raise ProviderError(
                f"existing cluster {self.name!r}: kubeconfig {self.source} has no current-context; name a context"
            )
        known = [entry.get("name") for entry in loaded.get("contexts") or []]
        if name not in known:
            raise ProviderError(
                f"existing cluster {self.name!r}: context {name!r} not found in kubeconfig {self.source}; "
                f"its contexts: {', '.join(map(str, known)) or 'none'}"
            )
        return name

    def _minimized(self) -> dict:
        """The kubeconfig cut down to one context, like `kubectl config view --minify`.

        Written by hand because the Python client has no equivalent. File references are made
        absolute against the source file's folder, as client-go resolves them, because the
        minimized copy lives in another folder.
        """
        loaded = self._load()
        context_name = self._context_name()
        context = self._named(loaded, "contexts", context_name, context_name).get("context") or {}
        cluster = self._named(loaded, "clusters", context.get("cluster"), context_name)
        _absolute(cluster.get("cluster") or {}, ("certificate-authority",), self.source.parent)
        users = []
        if context.get("user"):  # a context without a user talks to the cluster anonymously
            user = self._named(loaded, "users", context["user"], context_name)
            user_fields = user.get("user") or {}
            _absolute(user_fields, ("client-certificate", "client-key", "tokenFile"), self.source.parent)
            if "/" in (user_fields.get("exec") or {}).get("command", ""):
                _absolute(user_fields["exec"], ("command",), self.source.parent)
            users.append(user)
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": [cluster],
            "users": users,
            "contexts": [{"name": context_name, "context": context}],
            "current-context": context_name,
        }

    def _named(self, loaded: dict, section: str, name: str | None, context_name: str) -> dict:
        for entry in loaded.get(section) or []:
            if entry.get("name") == name:
                return entry
        raise ProviderError(
            f"existing cluster {self.name!r}: kubeconfig {self.source} has no {section} entry named {name!r}, "
            f"which context {context_name!r} refers to"
        )


def _absolute(fields: dict, keys: tuple[str, ...], base: Path) -> None:
    for key in keys:
        if fields.get(key) and not Path(fields[key]).is_absolute():
            fields[key] = str(base / fields[key])
