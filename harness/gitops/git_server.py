"""A Git repository served over smart HTTP on 127.0.0.1 by Git itself.

`git http-backend` (Git's own CGI program for the smart HTTP protocol, in `git --exec-path`) does
all the protocol work: clone, fetch and push. This module is the small HTTP front a CGI program
needs, on a free loopback port. It is written by hand because the standard library's CGI handler
is deprecated (and must be pointed at a folder of scripts), and a Git library such as dulwich would
replace Git with a re-implementation of it (docs/gitops.md says why Git itself serves).

Every push is logged with the time it was received and the branch head it left (`pushes`), so that
the moment a commit reached the server is a clock no client writes. `on_push` is called after
each push: the scenarios use it as a GitOps webhook receiver does, to ask Flux to fetch at once.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REPOSITORY = "gitops.git"
BRANCH = "main"
_HTTP_BACKEND_SECONDS = 60


class GitServerError(RuntimeError):
    """The repository could not be created or served; the message says what Git answered."""


@dataclass(frozen=True)
class Push:
    received: float  # time.time() when the push was answered
    head: str  # the branch head after it


@dataclass
class GitServer:
    """`with GitServer(folder) as server:` serves a fresh bare repository at `server.url`."""

    folder: Path
    on_push: Callable[[Push], None] | None = None
    pushes: list[Push] = field(default_factory=list)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def repository(self) -> Path:
        return self.folder / REPOSITORY

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise GitServerError("the Git server is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/{REPOSITORY}"

    def start(self) -> "GitServer":
        if self.repository.exists():
            raise GitServerError(f"{self.repository} exists already: a scenario's repository is created fresh")
        self.folder.mkdir(parents=True, exist_ok=True)
        git("init", "--quiet", "--bare", f"--initial-branch={BRANCH}", str(self.repository))
        git("config", "http.receivepack", "true", cwd=self.repository)  # allow pushes over HTTP
        server = self

        class Handler(_CgiHandler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="git-server", daemon=True)
        self._thread.start()
        return self

    def install_hook(self, name: str, script: str) -> None:
        """A server-side Git hook of the repository (e.g. pre-receive, which may refuse a push)."""
        hook = self.repository / "hooks" / name
        hook.write_text(script)
        hook.chmod(0o755)

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "GitServer":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def head(self) -> str:
        """The branch head, or "" before the first push."""
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{BRANCH}"], cwd=self.repository,
                              capture_output=True, text=True)
        return proc.stdout.strip()

    def _pushed(self) -> None:
        push = Push(time.time(), self.head())
        with self._lock:
            self.pushes.append(push)
        if self.on_push is not None:
            self.on_push(push)


class _CgiHandler(BaseHTTPRequestHandler):
    """Hands each request to `git http-backend` (RFC 3875 variables) and its answer back."""

    owner: GitServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._cgi()

    def do_POST(self) -> None:  # noqa: N802
        self._cgi()

    def log_message(self, *_args) -> None:  # the harness keeps its own record (pushes)
        pass

    def _cgi(self) -> None:
        parts = urlsplit(self.path)
        body = self._body()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.owner.folder),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REMOTE_USER": "promotion-conformance",  # receive-pack refuses anonymous pushes
            "REMOTE_ADDR": self.client_address[0],
            "REQUEST_METHOD": self.command,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_PROTOCOL": self.request_version,
            **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in self.headers.items()
               if name.lower() not in ("content-type", "content-length", "transfer-encoding")},
        }
        try:
            proc = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True,
                                  timeout=_HTTP_BACKEND_SECONDS)
        except subprocess.TimeoutExpired:
            self._answer(504, {"Content-Type": "text/plain"}, b"git http-backend did not answer in time\n")
            return
        head, payload = _split_cgi_answer(proc.stdout)
        headers = dict(line.split(": ", 1) for line in head.decode("latin-1").splitlines() if ": " in line)
        status = int(headers.pop("Status", "200 OK").split()[0])
        if proc.returncode != 0 and status == 200:
            status, payload = 500, proc.stderr
        self._answer(status, headers, payload)
        if self.command == "POST" and parts.path.endswith("/git-receive-pack") and status == 200:
            self.owner._pushed()

    def _body(self) -> bytes:
        """The request body; Git sends large pushes chunked."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()  # the empty line after the last chunk
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _split_cgi_answer(output: bytes) -> tuple[bytes, bytes]:
    """A CGI answer's header lines and its body, split at the first empty line (CRLF or LF)."""
    ends = [(index, len(blank)) for blank in (b"\r\n\r\n", b"\n\n") if (index := output.find(blank)) >= 0]
    if not ends:
        return b"", output
    index, length = min(ends)
    return output[:index], output[index + length:]


def git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run Git; its stdout, or GitServerError with what it said."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise GitServerError(f"`git {' '.join(args)}` failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
    return proc.stdout
