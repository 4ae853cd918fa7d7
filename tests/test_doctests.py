"""Doctests that never run are worse than none: each module with ``>>>`` lines is collected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import DOCTEST_FILES, SRC


def test_every_module_with_examples_is_collected(request: pytest.FixtureRequest) -> None:
    collected = request.config.stash.get(DOCTEST_FILES, set())
    if not any(Path(p).is_relative_to(SRC) for p in collected):
        if os.environ.get("CI"):
            pytest.fail("CI must collect the doctests of src/rnnshapes (see testpaths)")
        pytest.skip("run without src/rnnshapes in the paths: doctests were not collected")
    with_examples = {p.resolve() for p in SRC.rglob("*.py") if ">>>" in p.read_text()}
    missing = sorted(str(p.relative_to(SRC)) for p in with_examples - collected)
    assert not missing, f"modules with >>> examples whose doctests were not collected: {missing}"
    assert len(with_examples) >= 10
