"""Shared test setup: hypothesis profiles and the record of which modules' doctests ran."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from rnnshapes import Report, verify

settings.register_profile(
    "default", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SRC = Path(__file__).resolve().parent.parent / "src" / "rnnshapes"
DOCTEST_FILES = pytest.StashKey[set[Path]]()


@pytest.fixture(scope="session")
def report() -> Report:
    """One run of ``verify()`` on the default configurations, shared by the tests that read it."""
    return verify()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Remember which source files contributed doctests, for test_doctests_collected."""
    files = {
        Path(str(item.path)).resolve() for item in items if type(item).__name__ == "DoctestItem"
    }
    config.stash[DOCTEST_FILES] = files
