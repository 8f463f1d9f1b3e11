"""Flags and environment of the controller."""
from __future__ import annotations

import pytest

from harness.controller.settings import SettingsError, feature_flag, parse_settings


@pytest.mark.parametrize(("value", "enabled"), [
    ("", False), ("false", False), ("0", False), ("No", False),
    ("true", True), ("TRUE", True), ("1", True), ("Yes", True), (" yes ", True),
])
def test_promotion_feature_flag(value, enabled):
    # contract §3: PROMOTION_TASKS_ENABLED, default false
    assert feature_flag(value) is enabled


def test_an_unknown_feature_flag_value_is_an_error_naming_the_variable():
    with pytest.raises(SettingsError, match=r'PROMOTION_TASKS_ENABLED="maybe": expected one of true, 1, yes'):
        parse_settings([], {"PROMOTION_TASKS_ENABLED": "maybe"})


def test_defaults():
    settings = parse_settings([], {})
    assert (settings.promotion_enabled, settings.namespaces, settings.metrics_address, settings.health_address,
            settings.leader_elect, settings.leader_election_id, settings.leader_election_namespace) == (
        False, (), ("127.0.0.1", 8080), ("127.0.0.1", 8081), True, "promotion-controller", None)
    assert (settings.lease_duration, settings.renew_deadline, settings.retry_period) == (15, 10, 2)
    assert (settings.runner_images.deno, settings.runner_images.python) == (
        "ghcr.io/keptn/deno-runtime:v3.0.1", "ghcr.io/keptn/python-runtime:v1.0.8")


def test_flags_and_environment():
    settings = parse_settings(
        ["--namespace", "a", "--namespace", "b", "--namespace", "a", "--metrics-bind-address", "0",
         "--health-probe-bind-address", ":9000", "--leader-elect=false", "--leader-election-namespace", "ops",
         "--kubeconfig", "/k", "--context", "c", "--log-level", "debug"],
        {"PROMOTION_TASKS_ENABLED": "true", "FUNCTION_RUNNER_IMAGE": "d:1", "PYTHON_RUNNER_IMAGE": "p:1"})
    assert (settings.namespaces, settings.metrics_address, settings.health_address, settings.leader_elect,
            settings.leader_election_namespace, settings.kubeconfig, settings.context, settings.log_level) == (
        ("a", "b"), None, ("0.0.0.0", 9000), False, "ops", "/k", "c", "DEBUG")
    assert settings.promotion_enabled and (settings.runner_images.deno, settings.runner_images.python) == ("d:1", "p:1")


def test_leader_elect_alone_means_true():
    assert parse_settings(["--leader-elect"], {}).leader_elect is True


@pytest.mark.parametrize("argv", [
    ["--metrics-bind-address", "localhost"], ["--health-probe-bind-address", "x:99999"],
    ["--leader-elect=perhaps"], ["--leader-election-lease-duration", "1.5s"], ["--leader-election-retry-period", "0"],
])
def test_bad_flags_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        parse_settings(argv, {})
    assert exited.value.code == 2 and "error:" in capsys.readouterr().err


def test_inconsistent_lease_timings_are_rejected():
    with pytest.raises(SettingsError, match="renew-deadline < lease-duration"):
        parse_settings(["--leader-election-renew-deadline", "20s"], {})
