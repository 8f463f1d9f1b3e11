"""The pure readers of the benchmark: the API server's request counter and who sent what, /proc of
a local implementation, and py-spy's collapsed stacks."""
from __future__ import annotations

import os
from collections import Counter

import pytest

from harness.bench.apiserver import controller_requests, is_controllers
from harness.bench import process
from harness.bench.process import cpu_seconds, status_bytes
from harness.bench.profile import hot_spots
from harness.library.api_requests import Request, grown, parse

_APISERVER_METRICS = """\
# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="lifecycle.keptn.sh",resource="keptntasks",scope="resource",subresource="",verb="POST",version="v1"} 12
apiserver_request_total{code="200",component="apiserver",dry_run="",group="lifecycle.keptn.sh",resource="keptntasks",scope="resource",subresource="status",verb="PATCH",version="v1"} 30
apiserver_request_total{code="409",component="apiserver",dry_run="",group="lifecycle.keptn.sh",resource="keptntasks",scope="resource",subresource="status",verb="PATCH",version="v1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="batch",resource="jobs",scope="resource",subresource="status",verb="PUT",version="v1"} 40
apiserver_request_total{code="201",component="apiserver",dry_run="",group="batch",resource="jobs",scope="resource",subresource="",verb="POST",version="v1"} 12
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} 99
apiserver_request_duration_seconds_count{verb="POST"} 5
"""


def test_parse_reads_only_the_request_counter_by_verb_resource_and_code():
    counts = parse(_APISERVER_METRICS)
    assert counts[Request("PATCH", "lifecycle.keptn.sh", "keptntasks", "status", "409")] == 2
    assert counts[Request("POST", "batch", "jobs", "", "201")] == 12
    assert sum(counts.values()) == 12 + 30 + 2 + 40 + 12 + 99  # the duration histogram is not read


def test_grown_keeps_what_was_served_between_two_readings():
    key, other = Request("POST", "batch", "jobs", "", "201"), Request("GET", "", "pods", "", "200")
    assert grown(Counter({key: 5, other: 7}), Counter({key: 8, other: 7})) == Counter({key: 3})


@pytest.mark.parametrize(("request_", "counted"), [
    (Request("PATCH", "lifecycle.keptn.sh", "keptnappversions", "status", "200"), True),
    (Request("POST", "batch", "jobs", "", "201"), True),  # only the controller creates Jobs
    (Request("PATCH", "batch", "jobs", "", "200"), True),  # its result finalizer
    (Request("LIST", "batch", "jobs", "", "200"), True),  # "does a Job exist yet?" before creating one
    (Request("GET", "batch", "jobs", "", "200"), False),  # garbage-collector owner lookups; it reads its cache
    (Request("GET", "lifecycle.keptn.sh", "keptnappversions", "", "200"), False),
    (Request("PUT", "batch", "jobs", "status", "200"), False),  # kube-controller-manager's Job controller
    (Request("DELETE", "batch", "jobs", "", "200"), False),  # the TTL controller; the controller never deletes
    (Request("DELETE", "lifecycle.keptn.sh", "keptnapps", "", "200"), False),  # the namespace controller
    (Request("WATCH", "lifecycle.keptn.sh", "keptntasks", "", "200"), False),  # one per informer, not per version
    (Request("POST", "", "events", "", "201"), False),  # Events are counted by listing them
    (Request("PATCH", "", "pods", "status", "200"), False),
])
def test_which_requests_are_the_controllers(request_, counted):
    assert is_controllers(request_) is counted


def test_controller_requests_subtract_the_harness_and_count_refusals_apart():
    served = grown(Counter(), parse(_APISERVER_METRICS)) + Counter({
        Request("POST", "lifecycle.keptn.sh", "keptnapps", "", "201"): 4,
        Request("LIST", "lifecycle.keptn.sh", "keptntasks", "", "200"): 3,
    })
    result = controller_requests(served, Counter({"POST keptnapps": 4, "LIST keptntasks": 1}))
    assert result["writes"] == {"PATCH keptntasks/status": 32, "POST jobs": 12, "POST keptntasks": 12}
    assert result["reads"] == {"LIST keptntasks": 2}
    assert result["conflicts"] == 2
    assert result["refused"] == {"PATCH keptntasks/status 409": 2}


def _proc(tmp_path, processes: dict[int, tuple[int, int, int, int | None]]):
    """A fake /proc: pid → (process group, CPU ticks, VmRSS kB, VmHWM kB or None for a zombie)."""
    for pid, (group, ticks, rss, peak) in processes.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(f"{pid} (python) S 1 {group} {group} 0 -1 0 0 0 0 0 {ticks} 0 0 0 20")
        memory = "" if peak is None else f"VmHWM:\t{peak} kB\nVmRSS:\t{rss} kB\n"
        (tmp_path / str(pid) / "status").write_text(f"Name:\tpython\n{memory}")
    (tmp_path / "self").mkdir()
    return tmp_path


def test_usage_sums_the_live_processes_of_the_implementations_process_group(tmp_path):
    proc = _proc(tmp_path, {100: (100, 300, 1000, 2000), 101: (100, 100, 500, 700), 102: (100, 50, 0, None),
                            200: (200, 999, 9999, 9999)})
    found = process.usage(100, proc)
    assert found == process.Usage(cpu_seconds=400 / os.sysconf("SC_CLK_TCK"), rss_bytes=1500 * 1024,
                                   peak_rss_bytes=2700 * 1024, processes=2)  # the zombie 102 and group 200 left out


def test_usage_of_a_group_with_no_live_process_names_the_group(tmp_path):
    with pytest.raises(ProcessLookupError, match="process group 300"):
        process.usage(300, _proc(tmp_path, {100: (100, 1, 1, 1)}))


def test_cpu_seconds_count_fields_after_a_command_name_with_spaces_and_parentheses():
    stat = "4242 (python (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 1000 0 0"
    assert cpu_seconds(stat) == (250 + 50) / os.sysconf("SC_CLK_TCK")  # utime and stime, fields 14 and 15


def test_status_bytes_reads_kilobytes_and_names_a_missing_field():
    status = "Name:\tpython\nVmHWM:\t  81234 kB\nVmRSS:\t  80000 kB\n"
    assert status_bytes(status, "VmHWM") == 81234 * 1024
    with pytest.raises(ValueError, match="VmSwap"):
        status_bytes(status, "VmSwap")


_COLLAPSED = """\
_bootstrap (threading.py:995);_work (harness/controller/manager.py:120);reconcile_app_version (harness/controller/reconcile_appversion.py:26);deepcopy (copy.py:128) 6
_bootstrap (threading.py:995);_work (harness/controller/manager.py:121);reconcile_app_version (harness/controller/reconcile_appversion.py:30);dumps (json/__init__.py:231) 3
_bootstrap (threading.py:995);_run (harness/controller/watches.py:80);loads (json/__init__.py:346) 1
"""


def test_hot_spots_rank_innermost_functions_and_the_projects_code_on_the_stacks():
    spots = hot_spots(_COLLAPSED)
    assert spots["samples"] == 10
    assert spots["self"][0] == {"function": "deepcopy (copy.py)", "samples": 6, "share": 0.6}
    project = {frame["function"]: frame["samples"] for frame in spots["project"]}
    # line numbers are dropped, so one function on two lines counts once per stack
    assert project["_work (harness/controller/manager.py)"] == 9
    assert project["reconcile_app_version (harness/controller/reconcile_appversion.py)"] == 9
    assert "_bootstrap (threading.py)" not in project  # not the project's code


def test_hot_spots_of_no_samples_are_empty():
    assert hot_spots("") == {"samples": 0, "rateHz": 100, "self": [], "project": []}
