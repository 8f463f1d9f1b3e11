"""A recording proxy in front of the API server, for one process of the implementation.

The two-replica scenario must know which replica wrote what: both run the same binary under the
same identity, and neither the API server's metrics nor managedFields tell them apart. So the
second replica gets a kubeconfig of its own that points at this proxy (plain HTTP on 127.0.0.1,
no credentials), and the proxy forwards every request to the real API server with the
credentials of the cluster's kubeconfig, streaming the answers (watches included), and records
each request: method, path, arrival time, answer. The proxy's log is evidence the implementation
does not write: the requests the standby sent while the other replica led, and the Lease it
competed for.

Written by hand on the standard library: a forwarding HTTP/1.1 server that streams chunked
watch responses is about a hundred lines, and the maintained proxies (mitmproxy and the like)
are interactive tools far larger than the job.
"""
from __future__ import annotations

import base64
import http.client
import re
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import yaml

WRITES = ("POST", "PUT", "PATCH", "DELETE")
_LEASE = re.compile(r"^/apis/coordination\.k8s\.io/v1/namespaces/(?P<namespace>[^/]+)/leases(?:/(?P<name>[^/?]+))?")
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "host", "content-length"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    at: float  # time.time() when it arrived
    status: int | None  # the API server's answer; None if it never answered

    @property
    def write(self) -> bool:
        return self.method in WRITES

    @property
    def lease(self) -> tuple[str, str | None] | None:
        """(namespace, name) when this request is about a coordination.k8s.io Lease."""
        match = _LEASE.match(self.path)
        return (match["namespace"], match["name"]) if match else None

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"


class _Upstream:
    """Where and how to reach the real API server: from a kubeconfig's current context."""

    def __init__(self, kubeconfig: Path, work: Path):
        config = yaml.safe_load(Path(kubeconfig).read_text())
        context_name = config.get("current-context") or config["contexts"][0]["name"]
        context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
        cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
        user = next((u["user"] for u in config.get("users", []) if u["name"] == context.get("user")), {})
        server = urlparse(cluster["server"])
        self.host, self.port = server.hostname, server.port or 443
        self.ssl = ssl.create_default_context(cafile=_file(cluster, "certificate-authority", work))
        if cluster.get("insecure-skip-tls-verify"):
            self.ssl.check_hostname, self.ssl.verify_mode = False, ssl.CERT_NONE
        if user.get("client-certificate") or user.get("client-certificate-data"):
            self.ssl.load_cert_chain(_file(user, "client-certificate", work), _file(user, "client-key", work))
        self.token = user.get("token")

    def connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(self.host, self.port, context=self.ssl, timeout=600)


def _file(entry: dict, key: str, work: Path) -> str | None:
    """A kubeconfig's `<key>` path, or its `<key>-data` written to a file in `work`."""
    if entry.get(key):
        return entry[key]
    if entry.get(f"{key}-data"):
        path = work / key
        path.write_bytes(base64.b64decode(entry[f"{key}-data"]))
        return str(path)
    return None


class RecordingProxy:
    """Start it, hand `kubeconfig` to one process, read `requests`, stop it."""

    def __init__(self, kubeconfig: Path):
        self._work = Path(tempfile.mkdtemp(prefix="api-proxy-"))
        self._upstream = _Upstream(kubeconfig, self._work)
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="api-proxy", daemon=True)
        self.kubeconfig = self._work / "kubeconfig.yaml"
        self.kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "proxied",
            "clusters": [{"name": "proxied", "cluster": {"server": f"http://127.0.0.1:{self._server.server_port}"}}],
            "users": [{"name": "proxied", "user": {}}],
            "contexts": [{"name": "proxied", "context": {"cluster": "proxied", "user": "proxied"}}],
        }))

    def start(self) -> "RecordingProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def recorded(self) -> list[Request]:
        with self._lock:
            return list(self.requests)

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            upstream: http.client.HTTPSConnection | None = None

            def log_message(self, *_args) -> None:  # the requests are recorded, not printed
                pass

            def _forward(self) -> None:
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                if proxy._upstream.token:
                    headers["Authorization"] = f"Bearer {proxy._upstream.token}"
                answer = None
                for _ in range(2):  # a kept-alive connection the API server closed meanwhile: once more, afresh
                    reused = self.upstream is not None
                    try:
                        if self.upstream is None:
                            self.upstream = proxy._upstream.connect()
                        self.upstream.request(self.command, self.path, body=body, headers=headers)
                        answer = self.upstream.getresponse()
                        break
                    except (OSError, http.client.HTTPException) as error:
                        self.upstream, failure = None, error
                        if not reused:
                            break
                if answer is None:
                    proxy._record(Request(self.command, self.path, arrived, None))
                    self.send_error(502, f"the API server did not answer: {failure}")
                    return
                proxy._record(Request(self.command, self.path, arrived, answer.status))
                self.send_response_only(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                if self.command == "HEAD" or answer.status in (204, 304):  # answers without a body
                    answer.read()
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    while chunk := answer.read1(65536):  # a watch sends its events as they happen
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                    answer.read()  # at the end: marks the answer done, so the connection serves the next one
                    self.wfile.write(b"0\r\n\r\n")
                except (OSError, http.client.HTTPException):  # the client went away, or the API server did: end both
                    self.close_connection = True
                    self.upstream.close()
                    self.upstream = None

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

        return Handler


def writes_while(requests: list[Request], until: float) -> list[Request]:
    """The writes sent before `until`, except those about a Lease (competing for leadership is
    what a standby does)."""
    return [r for r in requests if r.write and r.at < until and r.lease is None]


def lease_of(requests: list[Request]) -> tuple[str, str] | None:
    """The Lease a replica competed for: the (namespace, name) its requests named most often."""
    named = [r.lease for r in requests if r.lease and r.lease[1]]
    return max(set(named), key=named.count) if named else None
