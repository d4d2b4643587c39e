"""pytest's hooks and fixtures only; the helpers the test files share are in helpers.py."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import Scene, make_scene, pin_reference_kernels, skipped_for_reference

pin_reference_kernels()


@pytest.fixture
def scene() -> Scene:
    return make_scene(np.random.default_rng(7))


def pytest_terminal_summary(terminalreporter) -> None:
    """Tests skipped for want of the reference end the report in a section of their own, so that
    an offline run cannot pass for a full one."""
    if skipped_for_reference:
        terminalreporter.section("tests that need the reference did NOT run", sep="!", yellow=True, bold=True)
        for line in sorted(set(skipped_for_reference)):
            terminalreporter.line(line, yellow=True)
