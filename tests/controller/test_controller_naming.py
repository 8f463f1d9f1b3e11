"""Object names: contract §2 (KeptnAppVersion hash) and §5 (task and Job names)."""
from __future__ import annotations

import random
import re

import pytest

from harness.controller.naming import (another_seed, app_version_name, evaluation_name, function_configmap_name,
                                       generation_hash, job_name, task_name, workload_name, workload_version_name)

DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@pytest.mark.parametrize(("generation", "digest"), [(1, "6b86b273"), (2, "d4735e3a"), (3, "4e074085")])
def test_generation_hash_is_the_spec_example(generation, digest):
    # contract §2: first 8 hex digits of sha256 of the decimal generation
    assert generation_hash(generation) == digest


def test_app_version_name_is_app_version_hash():
    assert app_version_name("shop", "1.0.0", 2) == "shop-1.0.0-d4735e3a"


def test_a_long_app_version_name_is_cut_before_the_hash_and_stays_a_dns_subdomain():
    name = app_version_name("a" * 200, "1.2.3-" + "b" * 100, 1)
    assert len(name) <= 253 and name.endswith("-6b86b273") and DNS_SUBDOMAIN.match(name)


def test_versions_with_characters_a_name_may_not_hold_are_made_valid():
    assert app_version_name("shop", "V1_2+build.7", 1) == "shop-v1-2-build.7-6b86b273"


def test_workload_names():
    # contract §2: KeptnWorkload <app>-<workload>, KeptnWorkloadVersion <app>-<workload>-<version>
    assert workload_name("shop", "cart") == "shop-cart"
    assert workload_version_name(workload_name("shop", "cart"), "0.2.1") == "shop-cart-0.2.1"


def test_task_name_is_check_type_definition_and_five_digits():
    # contract §5: <checkType>-<definition>-<5 random digits>, lower case, _ → -
    name = task_name("promotion", "Promote_To_Prod", "kav-uid")
    assert re.fullmatch(r"promotion-promote-to-prod-\d{5}", name)


def test_task_names_of_long_definitions_leave_room_for_the_job_suffix():
    # contract §5: shortened so that the Job name stays a valid label value, at most 63 characters
    task = task_name("post-eval", "x" * 80 + "-y", "kav-uid")
    job = job_name(task, "task-uid")
    assert len(task) <= 57 and len(job) <= 63
    assert re.fullmatch(r"post-eval-x+-\d{5}", task) and re.fullmatch(re.escape(task) + r"-\d{5}", job)


def test_a_cut_never_leaves_a_dash_before_the_random_digits():
    task = task_name("promotion", "a" * 45 + "-" + "b" * 20, "kav-uid")
    assert "--" not in task and DNS_SUBDOMAIN.match(task)


def test_job_name_is_task_and_five_random_digits():
    assert re.fullmatch(r"pre-check-12345-\d{5}", job_name("pre-check-12345", "task-uid"))


def test_evaluation_names_have_at_most_63_characters():
    name = evaluation_name("pre-eval", "e" * 90, "kav-uid")
    assert len(name) <= 63 and re.fullmatch(r"pre-eval-e+-\d{5}", name)


def test_the_digits_are_the_owners_same_owner_same_name():
    # exactly once (contract §6): a second create of the same item answers 409 instead of running it twice
    assert task_name("pre", "a", "kav-uid") == task_name("pre", "a", "kav-uid")
    assert job_name("pre-a-12345", "task-uid") == job_name("pre-a-12345", "task-uid")
    # and spread like random digits over owners
    digits = {task_name("pre", "a", f"kav-{n}")[-5:] for n in range(200)}
    assert len(digits) > 190 and all(10000 <= int(d) <= 99999 for d in digits)


def test_another_seed_gives_another_name():
    rng = random.Random(5)
    names = {job_name("pre-a-12345", another_seed("task-uid", rng)) for _ in range(20)}
    assert len(names) > 1 and job_name("pre-a-12345", "task-uid") not in names


def test_function_configmap_name():
    # contract §5: inline code lives in ConfigMap keptnfn-<definition>
    assert function_configmap_name("hello") == "keptnfn-hello"
