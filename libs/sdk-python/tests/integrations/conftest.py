"""The integration tests: real frameworks on CPU, tiny data made here, the real built server."""

from __future__ import annotations

import os

# Keras 3 on the PyTorch backend (no TensorFlow); read when keras is first imported.
os.environ.setdefault("KERAS_BACKEND", "torch")
# Nothing may come from a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest
from trackbase_testing import Tenant


@pytest.fixture
def tenant(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> Tenant:
    """The plugin's fresh tenant, also as TRACKBASE_URL, TRACKBASE_API_KEY and TRACKBASE_PROJECT (as users configure it)."""
    monkeypatch.setenv("TRACKBASE_URL", tenant.url)
    monkeypatch.setenv("TRACKBASE_API_KEY", tenant.key)
    monkeypatch.setenv("TRACKBASE_PROJECT", tenant.ref)
    return tenant
