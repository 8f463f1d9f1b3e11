"""Fixtures every step module shares. The cluster and namespace fixtures come from harness.pytest_plugin."""
from __future__ import annotations

import pytest

from harness.library.kube import Kube


@pytest.fixture(scope="session")
def kube(api_client) -> Kube:
    return Kube(api_client)
