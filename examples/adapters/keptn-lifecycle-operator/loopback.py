"""Keptn's lifecycle operator as a local process whose every listener is on loopback only.

The operator binds its webhook server to all interfaces (controller-runtime's default host, port
9443, with no flag to change either) and its DORA metrics server to `:2222`, and reads its
webhook certificate from the fixed folder /tmp/webhook/certs (its --certs-dir flag is defined only
after the first flag.Parse, so it cannot be given). So it runs here in network and mount
namespaces of its own (`unshare --user --map-root-user --net --mount`, no privileges needed): the
only interface it sees is its own loopback, and its certificate folder is the run's, bind-mounted
in that mount namespace only (and, for its leader election, the namespace of its Lease where a pod
has it: /var/run/secrets/kubernetes.io/serviceaccount/namespace, on a tmpfs over /run). Relays, all on 127.0.0.1, join it to the cluster:

  the API server (127.0.0.1:<port of the kubeconfig>) <- unix socket <- 127.0.0.1:<same port> in its namespace
  the API server -> 127.0.0.1:<webhook port, chosen at install> -> unix socket -> 127.0.0.1:9443 in its namespace
  127.0.0.1:<any other port> on this machine <- unix socket <- 127.0.0.1:<same port> in its namespace

The last one lets the operator reach what a scenario starts on this machine's loopback at a port
chosen at run time (the OTLP receiver a KeptnConfig's spec.OTelCollectorUrl names): in its
namespace an nftables rule redirects every TCP connection to 127.0.0.1 on a port that is not the
API server's or its webhook's to one relay, which reads the port asked for (SO_ORIGINAL_DST) and
passes it ahead of the connection through the unix socket. Needs `nft` (nftables).

    loopback.py webhook STATE_DIR TEMPLATE KUBECTL   certificate, a free port, webhook configuration applied
    loopback.py run STATE_DIR KUBECONFIG -- OPERATOR [ARG...]

The harness stops the operator by signalling the process group: the relays do not die of SIGTERM
but end when the operator has exited, so that the operator gets the one SIGTERM it shuts down
gracefully on (a second one makes controller-runtime exit at once). A SIGTERM that reaches a relay
alone (the harness died: its parent-death signal) is passed on to the relay's child after
FORWARD_AFTER seconds if that child is still running, so nothing outlives the harness.
Nothing here builds or changes Keptn.
"""
from __future__ import annotations

import base64
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

KEPTN_WEBHOOK_PORT = 9443  # fixed in Keptn's main.go (SetPort(9443))
KEPTN_CERT_DIR = "/tmp/webhook/certs"  # the default of Keptn's --certs-dir
# Where controller-runtime's leader election reads the namespace of its Lease (main.go sets no
# LeaderElectionNamespace): a pod's service account namespace file, given here on a tmpfs over /run
# in the operator's mount namespace. POD_NAMESPACE names it, as in Keptn's chart.
SERVICE_ACCOUNT = "/run/secrets/kubernetes.io/serviceaccount"


FORWARD_AFTER = 5.0  # seconds a relay waits before passing a SIGTERM on to its child


def forward_term_later(child: subprocess.Popen, after: float = FORWARD_AFTER) -> None:
    """On SIGTERM, pass it on to `child` after `after` seconds unless the child has ended by then
    (it got the same SIGTERM from the process group and is shutting down)."""
    def later() -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)

    def handler(_signum, _frame) -> None:
        timer = threading.Timer(after, later)
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, handler)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock, how in ((target, socket.SHUT_WR), (source, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass


def _relay(listener: socket.socket, connect) -> None:
    """Accept on `listener` for ever; join each connection to a new one from `connect()`."""
    _relay_each(listener, lambda _client: connect())


def _tcp_listener(port: int) -> socket.socket:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    return listener


def _unix_listener(path: Path) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(64)
    return listener


def _unix(path: Path):
    def connect() -> socket.socket:
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(str(path))
        return sock
    return connect


def _tcp(port: int):
    return lambda: socket.create_connection(("127.0.0.1", port))


SO_ORIGINAL_DST = 80  # linux/netfilter_ipv4.h: the address a redirected connection was made to


def original_port(client: socket.socket) -> int:
    """The port a connection redirected by the nftables rule was made to (a sockaddr_in)."""
    return int.from_bytes(client.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)[2:4], "big")


def _relay_outbound_in(listener: socket.socket, sockets: Path) -> None:
    """In the namespace: each redirected connection goes through the unix socket, its port first."""
    def connect_for(client: socket.socket) -> socket.socket:
        upstream = _unix(sockets / "out.sock")()
        upstream.sendall(original_port(client).to_bytes(2, "big"))
        return upstream
    _relay_each(listener, connect_for)


def _relay_outbound_out(listener: socket.socket) -> None:
    """On this machine: each connection from the unix socket goes to 127.0.0.1 at the port it names."""
    def connect_for(client: socket.socket) -> socket.socket:
        port = client.recv(2, socket.MSG_WAITALL)
        if len(port) != 2:
            raise OSError("no port ahead of the connection")
        return socket.create_connection(("127.0.0.1", int.from_bytes(port, "big")))
    _relay_each(listener, connect_for)


def _relay_each(listener: socket.socket, connect_for) -> None:
    """Accept on `listener` for ever; join each connection to a new one from `connect_for(it)`."""
    def serve() -> None:
        while True:
            client, _ = listener.accept()
            try:
                upstream = connect_for(client)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()
    threading.Thread(target=serve, daemon=True).start()


def _redirect_outbound(api_port: int) -> socket.socket | None:
    """Every other TCP connection to 127.0.0.1 in the namespace goes to the outbound relay."""
    relay = _tcp_listener(0)
    port = relay.getsockname()[1]
    kept = ", ".join(str(p) for p in sorted({api_port, KEPTN_WEBHOOK_PORT, port}))
    ruleset = ("table ip loopback_relay {\n  chain output {\n    type nat hook output priority -100; policy accept;\n"
               f"    ip daddr 127.0.0.1 tcp dport != {{ {kept} }} redirect to :{port}\n  }}\n}}\n")
    try:
        subprocess.run(["nft", "-f", "-"], input=ruleset, text=True, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"loopback.py: no outbound relay ({getattr(error, 'stderr', '') or error}); the operator cannot reach "
              "listeners on this machine's loopback other than the API server (an OTLP receiver)", flush=True)
        relay.close()
        return None
    return relay


def _api_port(kubeconfig: Path) -> int:
    match = re.search(r"^\s*server:\s*https?://(127\.0\.0\.1|localhost):(\d+)\s*$", kubeconfig.read_text(), re.M)
    if not match:
        sys.exit(f"{kubeconfig}: the API server is not on 127.0.0.1 (server: https://127.0.0.1:<port>): "
                 "this adapter joins the operator to an API server on this machine's loopback only")
    return int(match.group(2))


def webhook(state: Path, template: Path, kubectl: str) -> None:
    """A self-signed certificate for 127.0.0.1, a free loopback port, and the webhook
    configuration pointing the API server there with the certificate as caBundle."""
    certs = state / "certs"
    certs.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(certs / "tls.key"), "-out", str(certs / "tls.crt")],
                   check=True, capture_output=True)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    (state / "port").write_text(str(port))
    bundle = base64.b64encode((certs / "tls.crt").read_bytes()).decode()
    config = template.read_text().replace("CA_BUNDLE", bundle).replace("WEBHOOK_PORT", str(port))
    subprocess.run([kubectl, "apply", "-f", "-"], input=config, text=True, check=True)


def run(state: Path, kubeconfig: Path, command: list[str]) -> int:
    api_port = _api_port(kubeconfig)
    webhook_port = int((state / "port").read_text())
    sockets = Path(tempfile.mkdtemp(prefix="keptn-relay-"))  # short: a unix socket path has at most 107 bytes
    try:
        _relay(_unix_listener(sockets / "api.sock"), _tcp(api_port))
        _relay_outbound_out(_unix_listener(sockets / "out.sock"))
        try:
            _relay(_tcp_listener(webhook_port), _unix(sockets / "webhook.sock"))
        except OSError as error:  # a second replica: the first one's relay has the port
            print(f"loopback.py: webhook relay not started ({error}); another replica serves the webhooks", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: None)  # until the child exists: then forward_term_later
        child = subprocess.Popen(
            ["unshare", "--user", "--map-root-user", "--net", "--mount",
             sys.executable, __file__, "inside", str(sockets), str(api_port), str(state / "certs"), "--", *command],
            preexec_fn=_die_with_parent)
        forward_term_later(child)
        return child.wait()
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def inside(sockets: Path, api_port: int, certs: Path, command: list[str]) -> int:
    _die_with_parent()
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    os.makedirs(KEPTN_CERT_DIR, exist_ok=True)
    subprocess.run(["mount", "--bind", str(certs), KEPTN_CERT_DIR], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run"], check=True)
    os.makedirs(SERVICE_ACCOUNT)
    Path(SERVICE_ACCOUNT, "namespace").write_text(os.environ.get("POD_NAMESPACE") or "keptn-system")
    _relay(_tcp_listener(api_port), _unix(sockets / "api.sock"))
    _relay(_unix_listener(sockets / "webhook.sock"), _tcp(KEPTN_WEBHOOK_PORT))
    outbound = _redirect_outbound(api_port)
    if outbound is not None:
        _relay_outbound_in(outbound, sockets)
    signal.signal(signal.SIGTERM, lambda *_: None)
    operator = subprocess.Popen(command, preexec_fn=_die_with_parent)
    forward_term_later(operator)
    return operator.wait()


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "webhook":
        webhook(Path(argv[1]), Path(argv[2]), argv[3])
        return 0
    if len(argv) >= 5 and argv[0] == "run" and argv[3] == "--":
        return run(Path(argv[1]), Path(argv[2]), argv[4:])
    if len(argv) >= 6 and argv[0] == "inside" and argv[4] == "--":
        return inside(Path(argv[1]), int(argv[2]), Path(argv[3]), argv[5:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
