"""`/healthz` and `/readyz` on the health probe address."""
from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Probe = Callable[[], str | None]  # None when fine, else why not


def serve(host: str, port: int, healthy: Probe, ready: Probe) -> ThreadingHTTPServer:
    probes = {"/healthz": healthy, "/readyz": ready}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            probe = probes.get(self.path.split("?")[0])
            if probe is None:
                self._answer(404, "not found")
                return
            problem = probe()
            self._answer(200 if problem is None else 503, problem or "ok")

        def _answer(self, code: int, text: str) -> None:
            body = (text + "\n").encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:  # probes are frequent; keep them out of the log
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
