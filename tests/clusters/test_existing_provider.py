"""ExistingProvider: reachability checks, the minimized kubeconfig, and that it never deletes anything."""
from __future__ import annotations

import http.server
import json
import socket
import threading
from pathlib import Path

import pytest
import yaml

from harness.clusters.existing import ExistingProvider
from harness.clusters.provider import ProviderError


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMOTION_CONFORMANCE_CACHE", str(tmp_path / "cache"))


def closed_port() -> int:
    """A loopback port nothing listens on (bound once by us, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_kubeconfig(path: Path, servers: dict[str, str], current: str | None = None, cert_files: bool = False) -> Path:
    """A kubeconfig with one context, cluster and user per entry of servers (context name → URL).

    With cert_files, clusters and users refer to certificate files (relative and absolute paths)
    that do not exist: enough to check how they are rewritten, not to connect.
    """
    def cluster(name, url):
        return {"server": url, **({"certificate-authority": f"certs/{name}-ca.crt"} if cert_files else {})}

    def user(name):
        return {"client-certificate": f"certs/{name}.crt", "client-key": f"/abs/{name}.key"} if cert_files else {}

    path.write_text(yaml.safe_dump({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": f"{name}-cluster", "cluster": cluster(name, url)} for name, url in servers.items()],
        "users": [{"name": f"{name}-user", "user": user(name)} for name in servers],
        "contexts": [
            {"name": name, "context": {"cluster": f"{name}-cluster", "user": f"{name}-user"}} for name in servers
        ],
        "current-context": current or next(iter(servers)),
    }))
    return path


# What kube-apiserver v1.36.3 answers on /version (the client validates every field).
VERSION = {
    "major": "1", "minor": "36", "gitVersion": "v1.36.3", "gitCommit": "0" * 40, "gitTreeState": "clean",
    "buildDate": "1970-01-01T00:00:00Z", "goVersion": "go1.26.8", "compiler": "gc", "platform": "linux/amd64",
}


@pytest.fixture
def version_server():
    """A loopback HTTP server answering GET /version like an API server; yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(VERSION).encode()
            self.send_response(200 if self.path.rstrip("/") == "/version" else 404)  # the client asks for /version/
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_unreachable_cluster_error_names_the_kubeconfig_and_the_context(tmp_path):
    path = write_kubeconfig(tmp_path / "config", {"staging": f"https://127.0.0.1:{closed_port()}"})
    provider = ExistingProvider("shared", path, context="staging")

    with pytest.raises(ProviderError) as error:
        provider.create()
    assert str(path) in str(error.value)
    assert "'staging'" in str(error.value)
    assert not provider.exists()


def test_unreachable_cluster_error_names_the_current_context_when_none_is_given(tmp_path):
    path = write_kubeconfig(tmp_path / "config", {"a": f"https://127.0.0.1:{closed_port()}"})
    with pytest.raises(ProviderError, match="context 'a'"):
        ExistingProvider("shared", path).create()


def test_missing_kubeconfig_file_is_named(tmp_path):
    missing = tmp_path / "nowhere" / "config"
    with pytest.raises(ProviderError, match=f"kubeconfig {missing} does not exist"):
        ExistingProvider("shared", missing, context="staging").create()


def test_missing_context_is_named_with_the_contexts_there_are(tmp_path):
    path = write_kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1", "b": "https://127.0.0.1:2"})
    with pytest.raises(ProviderError) as error:
        ExistingProvider("shared", path, context="prod").create()
    message = str(error.value)
    assert "context 'prod' not found" in message
    assert str(path) in message
    assert "its contexts: a, b" in message


def test_reachable_cluster_is_created_exists_and_reports_its_version(tmp_path, version_server):
    path = write_kubeconfig(tmp_path / "config", {"local": version_server})
    provider = ExistingProvider("shared", path, context="local")

    provider.create()
    assert provider.exists()
    assert provider.server_version() == "v1.36.3"


def test_without_a_context_the_given_kubeconfig_is_used_as_is(tmp_path):
    path = write_kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"})
    assert ExistingProvider("shared", path).kubeconfig == path
    assert not (tmp_path / "cache" / "existing").exists()


def test_a_named_context_gets_a_minimized_kubeconfig_of_its_own(tmp_path):
    path = write_kubeconfig(
        tmp_path / "config", {"a": "https://127.0.0.1:1", "b": "https://127.0.0.1:2"}, current="a", cert_files=True
    )
    provider = ExistingProvider("shared", path, context="b")

    minimized_path = provider.kubeconfig
    assert minimized_path == tmp_path / "cache" / "existing" / "shared" / "kubeconfig"
    minimized = yaml.safe_load(minimized_path.read_text())
    assert minimized["current-context"] == "b"
    assert [c["name"] for c in minimized["contexts"]] == ["b"]
    assert minimized["clusters"] == [{
        "name": "b-cluster",
        "cluster": {"server": "https://127.0.0.1:2", "certificate-authority": str(tmp_path / "certs" / "b-ca.crt")},
    }]
    # relative file references now point at the source's folder; absolute ones are kept
    assert minimized["users"] == [{
        "name": "b-user",
        "user": {"client-certificate": str(tmp_path / "certs" / "b.crt"), "client-key": "/abs/b.key"},
    }]


def test_minimized_kubeconfig_reaches_the_same_cluster(tmp_path, version_server):
    path = write_kubeconfig(
        tmp_path / "config", {"other": f"https://127.0.0.1:{closed_port()}", "local": version_server}, current="other"
    )
    minimized = ExistingProvider("shared", path, context="local").kubeconfig
    # a provider reading only the minimized file, with its current-context, reaches the server
    assert ExistingProvider("via-minimized", minimized).server_version() == "v1.36.3"


def test_delete_leaves_the_kubeconfig_in_place(tmp_path, version_server):
    path = write_kubeconfig(tmp_path / "config", {"local": version_server})
    before = path.read_text()
    provider = ExistingProvider("shared", path, context="local")
    provider.create()

    provider.delete()
    assert path.read_text() == before
    assert provider.exists()


def test_export_logs_writes_a_note_instead_of_logs(tmp_path, version_server):
    path = write_kubeconfig(tmp_path / "config", {"local": version_server})
    dest = tmp_path / "reports" / "cluster-logs"
    ExistingProvider("shared", path, context="local").export_logs(dest)

    note = (dest / "existing-cluster.txt").read_text()
    assert "not collected" in note
    assert str(path) in note
    assert "context: local" in note
    assert "API server version: v1.36.3" in note


def test_real_nodes_comes_from_the_constructor(tmp_path):
    assert ExistingProvider("shared", tmp_path / "config").real_nodes is True
    assert ExistingProvider("shared", tmp_path / "config", real_nodes=False).real_nodes is False


def test_a_context_without_a_user_is_minimized_without_one(tmp_path, version_server):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "anon", "cluster": {"server": version_server}}],
        "contexts": [{"name": "anon", "context": {"cluster": "anon"}}],
        "current-context": "anon",
    }))
    minimized_path = ExistingProvider("shared", path, context="anon").kubeconfig
    assert yaml.safe_load(minimized_path.read_text())["users"] == []
    assert ExistingProvider("via-minimized", minimized_path).server_version() == "v1.36.3"


def test_a_context_naming_a_missing_cluster_is_reported(tmp_path):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1",
        "kind": "Config",
        "contexts": [{"name": "broken", "context": {"cluster": "gone", "user": "gone"}}],
    }))
    with pytest.raises(ProviderError, match="has no clusters entry named 'gone', which context 'broken' refers to"):
        ExistingProvider("shared", path, context="broken").kubeconfig
