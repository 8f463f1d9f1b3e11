"""The run's options in the pytest session: one RunOptions object per run, in every process.

`promotion-conformance run` hands its object to pytest (`Carrier`); a plain pytest run builds it
from the command-line options added below (`--provider`, `--impl`, ...). The controlling process
fixes the run's report folder, then ships the object to each pytest-xdist worker in its
`workerinput`; every process configures the harness's timeouts from it. SIGTERM and SIGHUP stop the
session as Ctrl-C does (harness.signals), so that its cleanup runs.
"""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace

import pytest

from harness import report, timeouts
from harness.implementations import adapter as adapters
from harness.options import RunOptions, check, new_run_dir
from harness.signals import stop_on_signals
from harness.validated_yaml import ConfigError

_KEY = pytest.StashKey[RunOptions]()
_SIGNALS = pytest.StashKey[ExitStack]()
_WORKER_INPUT = "promotion-conformance-options"
CARRIER = "promotion-conformance-run-options"

MARKERS = (
    "id(name): the scenario's stable ID (from the Gherkin tag @id:Name)",
    "feature(name): the conformance feature the scenario checks (@feature:Name)",
    "core: the scenario belongs to the core profile",
    "extended: the scenario belongs to the extended profile",
    "provider(name): the scenario applies only on this cluster provider (@provider:simulated)",
    "rule(id): a rule of docs/contract.md the scenario checks (@rule:C2.3; harness/contract/rules.yaml)",
    "cluster: a feature of the cluster provider itself",
    "exclusive: changes cluster-wide configuration; never runs beside other scenarios",
    "xdist_group(name): keeps a group of tests on one pytest-xdist worker (--dist loadgroup)",
)


class Carrier:
    """How `promotion-conformance run` hands its options to the pytest session it starts."""

    def __init__(self, options: RunOptions):
        self.options = options
        self.__name__ = CARRIER  # the name pytest registers it under, where pytest_configure finds it


def options_of(config: pytest.Config) -> RunOptions:
    return config.stash[_KEY]


_ADAPTER = pytest.StashKey[adapters.Adapter]()


def adapter_of(config: pytest.Config) -> adapters.Adapter:
    """The run's adapter, loaded and checked once per process (the plugin and the steps ask often)."""
    if _ADAPTER not in config.stash:
        config.stash[_ADAPTER] = adapters.load(adapters.resolve(options_of(config).implementation))
    return config.stash[_ADAPTER]


def pytest_addoption(parser):
    group = parser.getgroup("promotion-conformance", "promotion-conformance (see `promotion-conformance run --help`)")
    group.addoption("--provider", default="auto", help="cluster provider: auto, simulated, kind or existing (default auto)")
    group.addoption("--kubeconfig", help="existing provider: the cluster's kubeconfig")
    group.addoption("--context", help="existing provider: the kubeconfig context")
    group.addoption("--impl", default="reference", help="adapter file or built-in adapter name (default reference)")
    group.addoption("--keep-cluster", action="store_true", help="keep the session's cluster and print its KUBECONFIG")
    group.addoption("--report-dir", help="where the run's report folder is made (default reports/)")
    group.addoption("--timeout-scale", type=float, default=1.0, help="multiply every timeout (default 1)")
    group.addoption("--seed", type=int, help="seed of the reliability scenarios' random choices (default: a new one)")
    group.addoption("--soak", action="store_true", help="the long kill scenario: 30 versions, 20 kills")
    group.addoption("--shard", default="", metavar="K/N", help="only the K-th of N balanced parts of the scenarios")
    group.addoption("--shard-durations", dest="shard_durations", default="", metavar="FILE",
                    help="a run's scenarios.json that balances the shards (default: harness/shard_durations.json)")


def _from_command_line(config: pytest.Config) -> RunOptions:
    option = config.option
    options = RunOptions(provider=option.provider, kubeconfig=option.kubeconfig, context=option.context,
                         implementation=option.impl, keep_cluster=option.keep_cluster,
                         timeout_scale=option.timeout_scale, seed=option.seed, soak=option.soak, shard=option.shard,
                         shard_durations=option.shard_durations)
    if option.report_dir:
        options = replace(options, report_dir=option.report_dir)
    check(options)
    return options


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config):
    if hasattr(config, "workerinput"):
        options = RunOptions.from_json(config.workerinput[_WORKER_INPUT])
    else:
        carrier = config.pluginmanager.get_plugin(CARRIER)
        try:
            options = carrier.options if carrier else _from_command_line(config)
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None
        if options.run_dir is None:
            options = replace(options, run_dir=new_run_dir(options.report_dir))
    config.stash[_KEY] = options
    timeouts.configure(options.effective_timeouts)
    signal_handling = ExitStack()
    signal_handling.enter_context(stop_on_signals())
    config.stash[_SIGNALS] = signal_handling
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    adapter = adapter_of(config)
    # the provider is described by harness.plugin.session_cluster, which knows the cluster (describe_provider)
    report.configure(config, implementation=adapter.metadata, claimed_features=adapter.features,
                     provider={"name": options.provider}, report_dir=options.run_dir,
                     timeouts=options.effective_timeouts, timeout_scale=options.timeout_scale, shard=_shard(options))


def _shard(options: RunOptions) -> dict | None:
    """The report's `shard`: which part this is, and the selection every shard of the run must share."""
    if not options.shard:
        return None
    from harness import shards

    shard = shards.parse(options.shard)
    selection = {"profile": options.profile, "features": list(options.features), "scenarios": list(options.scenarios),
                 "skip": list(options.skip), "durations": options.shard_durations or "default"}
    return {"index": shard.index, "count": shard.count, "selection": selection}


def pytest_unconfigure(config: pytest.Config):
    if _SIGNALS in config.stash:
        config.stash[_SIGNALS].close()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist, in the controlling process: each worker gets the same options."""
    node.workerinput[_WORKER_INPUT] = options_of(node.config).to_json()
