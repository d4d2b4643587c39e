"""The facade still returns what the saved C++ cases hold (cpp/tests/cases, checked from the C++
side by ctest): together the two show C++ and Python agree for the same file, seed and call."""

from __future__ import annotations

import numpy as np
import pytest
from cpp_cases import CASES, read_expected, run_facade


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_facade_returns_the_saved_result(case) -> None:
    expected = read_expected(case)
    got = run_facade(case)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got[key], value, err_msg=key)
            assert got[key].dtype == value.dtype, key
        elif key == "masks":
            assert len(got[key]) == len(value)
            for a, b in zip(got[key], value):
                np.testing.assert_array_equal(a, b)
        else:
            assert got[key] == value, key
