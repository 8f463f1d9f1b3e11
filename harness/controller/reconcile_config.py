"""KeptnConfig: the cluster-wide options; the last reconciled KeptnConfig wins (contract §4)."""
from __future__ import annotations

import logging

from harness.controller.context import ClusterOptions, Context, Key
from harness.controller.durations import DurationError, parse_duration
from harness.controller.events import WARNING
from harness.contract.kinds import CONFIG, WORKLOAD_VERSION
from harness.controller.lifecycle import TERMINAL
from harness.contract.states import KeptnState

log = logging.getLogger(__name__)


def reconcile_config(ctx: Context, key: Key) -> None:
    config = ctx.store.get(CONFIG, key.namespace, key.name)
    if config is None:
        if not ctx.store.list(CONFIG):
            _use(ctx, ClusterOptions(), "defaults (no KeptnConfig left)")
        return
    spec = config.get("spec") or {}
    timeout = ctx.options.observability_timeout
    text = spec.get("observabilityTimeout")
    if text:
        try:
            timeout = parse_duration(text)
        except DurationError as error:
            ctx.events.emit(config, CONFIG, WARNING, "InvalidObservabilityTimeout",
                            f"spec.observabilityTimeout: {error}; keeping {timeout:g}s")
    _use(ctx, ClusterOptions(bool(spec.get("blockDeployment", True)), timeout, spec.get("OTelCollectorUrl") or ""),
         f'KeptnConfig "{key.name}" in namespace "{key.namespace}"')


def _use(ctx: Context, options: ClusterOptions, source: str) -> None:
    if options == ctx.options:
        return
    changed_timeout = options.observability_timeout != ctx.options.observability_timeout
    ctx.options = options
    log.info("cluster options from %s: blockDeployment=%s observabilityTimeout=%gs OTelCollectorUrl=%s", source,
             options.block_deployment, options.observability_timeout, options.collector or "(none)")
    ctx.tracing.configure(options.collector)
    if changed_timeout:  # running deploy phases wait on the old timeout: recompute their timers
        for version in ctx.store.list(WORKLOAD_VERSION, where=lambda v: KeptnState.of(
                (v.get("status") or {}).get("status")) not in TERMINAL):
            ctx.queue.add(Key.of(WORKLOAD_VERSION, version))
