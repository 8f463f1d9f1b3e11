"""Entry point: `promotion-conformance controller [flags]` or `python -m harness.controller [flags]`.

Exit codes: 0 stopped by a signal, 1 lost the leader Lease, 2 bad flags, environment or kubeconfig.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path

import yaml
from kubernetes import client, config

from harness.controller import health, metrics
from harness.controller.context import Context
from harness.controller.events import EventRecorder
from harness.contract.kinds import WATCHED
from harness.controller.api_calls import Kube
from harness.controller.leader import Candidate
from harness.controller.manager import Manager
from harness.controller.phase_checks import CREATE_CONCURRENCY
from harness.controller.queue import WorkQueue
from harness.controller.settings import Settings, SettingsError, parse_settings
from harness.controller.store import Store

log = logging.getLogger("harness.controller")

_PROG = "promotion-conformance controller"
_STOP_SECONDS = 15


class _Terminated(Exception):
    """SIGTERM, turned into an exception in the main thread."""


def main(argv: list[str]) -> int:
    try:
        settings = parse_settings(argv, os.environ)
    except SettingsError as error:
        print(f"{_PROG}: error: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    try:
        api_client = _connect(settings)
    except (config.ConfigException, OSError) as error:
        print(f"{_PROG}: error: cannot load the cluster configuration: {error}", file=sys.stderr)
        return 2

    kube = Kube(api_client)
    ctx = Context(kube=kube, store=Store(), queue=WorkQueue(), events=EventRecorder(kube), settings=settings)
    manager = Manager(ctx)
    try:
        if settings.metrics_address:
            metrics.serve(*settings.metrics_address)
        if settings.health_address:
            health.serve(*settings.health_address, healthy=manager.healthy, ready=manager.ready)
    except OSError as error:
        print(f"{_PROG}: error: cannot listen: {error}", file=sys.stderr)
        return 2
    log.info("promotion tasks %s; runner images deno=%s python=%s",
             "enabled" if settings.promotion_enabled else "disabled (PROMOTION_TASKS_ENABLED)",
             settings.runner_images.deno, settings.runner_images.python)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, _raise_terminated)
    candidate = Candidate(settings) if settings.leader_elect else None
    try:
        if candidate is None:
            manager.run(stop)
            return 0
        candidate.run(lead=lambda: manager.run(stop), stopped_leading=stop.set)
        log.error("lost the leader Lease; exiting so that no two replicas act")
        return 1
    except (KeyboardInterrupt, _Terminated):
        log.info("stopping")
        stop.set()
        if candidate is not None and manager.started.is_set() and manager.stopped.wait(_STOP_SECONDS):
            candidate.release()
        return 0
    finally:
        ctx.events.close(_STOP_SECONDS)
        ctx.tracing.shutdown()  # the spans it still holds go to the collector


def _check_kubeconfig(paths: list[str]) -> None:
    """A kubeconfig file that is not YAML, or not a mapping, is a ConfigException naming the file and
    why: the client library would fail on it with a bare parser error or TypeError, and on missing
    files with "No configuration found". Of a list ($KUBECONFIG) a missing file is skipped, as kubectl does."""
    missing = [path for path in paths if not Path(path).expanduser().exists()]
    if missing and len(missing) == len(paths):
        raise config.ConfigException(f"{', '.join(missing)}: no such file")
    for path in paths:
        if path in missing:
            continue
        try:
            document = yaml.safe_load(Path(path).expanduser().read_text())
        except yaml.YAMLError as error:
            where = getattr(error, "problem_mark", None)
            line = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
            raise config.ConfigException(f"{path}: not YAML{line}: {getattr(error, 'problem', None) or error}") from None
        if document is not None and not isinstance(document, dict):
            raise config.ConfigException(f"{path}: not a kubeconfig: expected a mapping with clusters, contexts and users, "
                                         f"found a {type(document).__name__}")


def _connect(settings: Settings) -> client.ApiClient:
    """--kubeconfig, else $KUBECONFIG or ~/.kube/config, else in cluster with the service account."""
    in_cluster = not settings.kubeconfig and not os.environ.get("KUBECONFIG") and os.environ.get("KUBERNETES_SERVICE_HOST")
    if in_cluster and not settings.context:
        config.load_incluster_config()
    else:
        _check_kubeconfig([settings.kubeconfig] if settings.kubeconfig else
                          [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p] or ["~/.kube/config"])
        config.load_kube_config(config_file=settings.kubeconfig, context=settings.context)
    configuration = client.Configuration.get_default_copy()
    # One long-lived connection per watch, plus every request that may be in flight at once (a
    # worker's, or CREATE_CONCURRENCY while it creates a phase's items, and the event sender's):
    # urllib3 closes connections beyond the pool's size, and each new one costs a TLS handshake.
    watches = len(WATCHED) * max(1, len(settings.namespaces))
    configuration.connection_pool_maxsize = watches + settings.workers * CREATE_CONCURRENCY + 1 + 4
    client.Configuration.set_default(configuration)  # the Lease lock uses the default client
    return client.ApiClient(configuration)


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", stream=sys.stderr)
    # The client's leader election logs every renewal at INFO.
    logging.getLogger("leaderelection").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def _raise_terminated(_signum, _frame) -> None:
    raise _Terminated()
