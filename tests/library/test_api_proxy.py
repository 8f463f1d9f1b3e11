"""The recording proxy forwards to an HTTPS API server with the kubeconfig's client certificate,
streams chunked (watch) answers as they come, and records every request."""
from __future__ import annotations

import http.client
import json
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from harness.library.api_proxy import RecordingProxy


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
             "-keyout", str(folder / "ca.key"), "-out", str(folder / "ca.crt"))
    for name, extra in (("server", ["-addext", "subjectAltName=IP:127.0.0.1"]), ("client", [])):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", str(folder / f"{name}.key"),
                 "-out", str(folder / f"{name}.csr"), *extra)
        _openssl("x509", "-req", "-in", str(folder / f"{name}.csr"), "-CA", str(folder / "ca.crt"), "-CAkey",
                 str(folder / "ca.key"), "-CAcreateserial", "-days", "1", "-out", str(folder / f"{name}.crt"),
                 "-copy_extensions", "copy")
    return folder


class _ApiServer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args):
        pass

    def do_GET(self):
        if self.path.startswith("/watch"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for number in range(3):
                line = json.dumps({"type": "ADDED", "n": number, "sent": time.time()}).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
                time.sleep(0.3)
            self.wfile.write(b"0\r\n\r\n")
            return
        body = json.dumps({"path": self.path, "client": self.connection.getpeercert()["subject"][0][0][1]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length)
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def proxy(pki, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ApiServer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / "server.crt", pki / "server.key")
    context.load_verify_locations(pki / "ca.crt")
    context.verify_mode = ssl.CERT_REQUIRED  # as kube-apiserver does with a client CA
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kubeconfig = tmp_path / "kubeconfig.yaml"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{server.server_port}",
                                               "certificate-authority": str(pki / "ca.crt")}}],
        "users": [{"name": "u", "user": {"client-certificate": str(pki / "client.crt"), "client-key": str(pki / "client.key")}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
    recording = RecordingProxy(kubeconfig).start()
    yield recording
    recording.stop()
    server.shutdown()


def _connection(proxy: RecordingProxy) -> http.client.HTTPConnection:
    server = yaml.safe_load(proxy.kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
    assert server.startswith("http://127.0.0.1:")
    return http.client.HTTPConnection("127.0.0.1", int(server.rsplit(":", 1)[1]), timeout=10)


def test_requests_reach_the_api_server_with_the_client_certificate_and_are_recorded(proxy):
    connection = _connection(proxy)
    connection.request("GET", "/api/v1/namespaces")
    answer = json.loads(connection.getresponse().read())
    assert answer == {"path": "/api/v1/namespaces", "client": "client"}
    connection.request("POST", "/apis/lifecycle.keptn.sh/v1/namespaces/t/keptntasks", body=b'{"kind": "KeptnTask"}',
                       headers={"Content-Type": "application/json"})  # the same connection, kept alive
    created = connection.getresponse()
    assert (created.status, created.read()) == (201, b'{"kind": "KeptnTask"}')
    assert [(r.method, r.path, r.status, r.write) for r in proxy.recorded()] == [
        ("GET", "/api/v1/namespaces", 200, False),
        ("POST", "/apis/lifecycle.keptn.sh/v1/namespaces/t/keptntasks", 201, True)]


def test_a_watch_is_streamed_event_by_event_not_when_it_ends(proxy):
    connection = _connection(proxy)
    connection.request("GET", "/watch?watch=true")
    answer = connection.getresponse()
    first = json.loads(answer.readline())
    arrived = time.time()
    assert first["n"] == 0 and arrived - first["sent"] < 0.25, "the first event waited for the rest of the stream"
    rest = [json.loads(line) for line in answer.read().splitlines()]
    assert [event["n"] for event in rest] == [1, 2]
