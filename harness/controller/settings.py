"""The controller's configuration: command-line flags and environment variables."""
from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass

from harness.controller.durations import DurationError, parse_duration
from harness.controller.jobs import DEFAULT_FUNCTION_RUNNER_IMAGE, DEFAULT_PYTHON_RUNNER_IMAGE, RunnerImages

PROMOTION_FLAG = "PROMOTION_TASKS_ENABLED"
# Defaults of the three leader-election timing flags (flags win), so that a harness that can only
# set the environment of its process (the kill and fail-over scenarios) can shorten them.
LEASE_TIMINGS_ENV = {"lease_duration": "LEADER_ELECTION_LEASE_DURATION",
                     "renew_deadline": "LEADER_ELECTION_RENEW_DEADLINE",
                     "retry_period": "LEADER_ELECTION_RETRY_PERIOD"}
_LEASE_TIMING_DEFAULTS = {"lease_duration": "15s", "renew_deadline": "10s", "retry_period": "2s"}
_ON, _OFF = ("true", "1", "yes"), ("false", "0", "no", "")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    kubeconfig: str | None
    context: str | None
    namespaces: tuple[str, ...]  # empty: every namespace
    log_level: str
    metrics_address: tuple[str, int] | None  # None: disabled
    health_address: tuple[str, int] | None
    leader_elect: bool
    leader_election_namespace: str | None  # None: the service account's namespace, else "default"
    leader_election_id: str
    lease_duration: int
    renew_deadline: int
    retry_period: int
    workers: int
    promotion_enabled: bool
    runner_images: RunnerImages


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def parse_settings(argv: list[str], environ: Mapping[str, str]) -> Settings:
    """Settings from flags and environment; argparse exits 2 on bad flags, SettingsError names a
    bad value."""
    args = _parser(environ).parse_args(argv)
    if args.renew_deadline >= args.lease_duration or args.retry_period * 1.2 >= args.renew_deadline:
        raise SettingsError("leader election needs retry-period × 1.2 < renew-deadline < lease-duration")
    if args.renew_deadline + 2 * args.retry_period >= args.lease_duration:
        # A leader that stops renewing acts on for up to a retry period, the renew deadline and one
        # last Lease call (bounded by the retry period); the others wait the lease duration.
        raise SettingsError("leader election needs renew-deadline + 2 × retry-period < lease-duration, so that "
                            "a leader that cannot renew has stopped before another replica may take over")
    if args.workers < 1:
        raise SettingsError(f"--workers: must be at least 1, got {args.workers}")
    return Settings(
        kubeconfig=args.kubeconfig,
        context=args.context,
        namespaces=tuple(dict.fromkeys(args.namespace or ())),
        log_level=args.log_level.upper(),
        metrics_address=args.metrics_bind_address,
        health_address=args.health_probe_bind_address,
        leader_elect=args.leader_elect,
        leader_election_namespace=args.leader_election_namespace,
        leader_election_id=args.leader_election_id,
        lease_duration=args.lease_duration,
        renew_deadline=args.renew_deadline,
        retry_period=args.retry_period,
        workers=args.workers,
        promotion_enabled=feature_flag(environ.get(PROMOTION_FLAG, "")),
        runner_images=RunnerImages(environ.get("FUNCTION_RUNNER_IMAGE") or DEFAULT_FUNCTION_RUNNER_IMAGE,
                                   environ.get("PYTHON_RUNNER_IMAGE") or DEFAULT_PYTHON_RUNNER_IMAGE),
    )


def feature_flag(value: str) -> bool:
    """contract §3: PROMOTION_TASKS_ENABLED, default false; true/1/yes (any case) turn it on."""
    text = value.strip().lower()
    if text in _ON:
        return True
    if text in _OFF:
        return False
    raise SettingsError(f'{PROMOTION_FLAG}="{value}": expected one of true, 1, yes, false, 0, no')


def bind_address(text: str) -> tuple[str, int] | None:
    """`host:port` (`:port` means every interface, as in controller-runtime); `0` disables."""
    if text == "0":
        return None
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f'"{text}" is not an address: expected HOST:PORT, :PORT or 0')
    return host or "0.0.0.0", int(port)


def _whole_seconds(text: str) -> int:
    try:
        seconds = parse_duration(text)
    except DurationError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if seconds < 1 or seconds != int(seconds):
        raise argparse.ArgumentTypeError(f'"{text}": expected whole seconds, at least 1s')
    return int(seconds)


def _boolean(text: str) -> bool:
    if text.lower() in _ON:
        return True
    if text.lower() in _OFF:
        return False
    raise argparse.ArgumentTypeError(f'"{text}": expected true or false')


def _parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    timing = {dest: environ.get(variable) or _LEASE_TIMING_DEFAULTS[dest] for dest, variable in LEASE_TIMINGS_ENV.items()}
    parser = _Parser(prog="promotion-conformance controller",
                     description="The reference promotion-phase controller (docs/contract.md). "
                                 f"Environment: {PROMOTION_FLAG} (default false), FUNCTION_RUNNER_IMAGE "
                                 f"(default {DEFAULT_FUNCTION_RUNNER_IMAGE}), PYTHON_RUNNER_IMAGE "
                                 f"(default {DEFAULT_PYTHON_RUNNER_IMAGE}), KUBECONFIG, "
                                 f"{', '.join(LEASE_TIMINGS_ENV.values())} (defaults of the three "
                                 "--leader-election-* timing flags).")
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config, "
                                             "or the in-cluster service account)")
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    parser.add_argument("--namespace", action="append", metavar="NS",
                        help="watch only this namespace (repeatable; default: all namespaces)")
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    parser.add_argument("--metrics-bind-address", type=bind_address, default=bind_address("127.0.0.1:8080"),
                        metavar="ADDR", help="Prometheus metrics, HOST:PORT or 0 to disable (default 127.0.0.1:8080)")
    parser.add_argument("--health-probe-bind-address", type=bind_address, default=bind_address("127.0.0.1:8081"),
                        metavar="ADDR", help="/healthz and /readyz, HOST:PORT or 0 (default 127.0.0.1:8081)")
    parser.add_argument("--leader-elect", type=_boolean, nargs="?", const=True, default=True, metavar="BOOL",
                        help="hold a coordination.k8s.io Lease before acting (default true)")
    parser.add_argument("--leader-election-namespace", metavar="NS")
    parser.add_argument("--leader-election-id", default="promotion-controller", metavar="NAME")
    parser.add_argument("--leader-election-lease-duration", dest="lease_duration", type=_whole_seconds,
                        default=timing["lease_duration"], metavar="DURATION", help=f"default {timing['lease_duration']}")
    parser.add_argument("--leader-election-renew-deadline", dest="renew_deadline", type=_whole_seconds,
                        default=timing["renew_deadline"], metavar="DURATION", help=f"default {timing['renew_deadline']}")
    parser.add_argument("--leader-election-retry-period", dest="retry_period", type=_whole_seconds,
                        default=timing["retry_period"], metavar="DURATION", help=f"default {timing['retry_period']}")
    parser.add_argument("--workers", type=int, default=4, help="reconciles run at once (default 4)")
    return parser
