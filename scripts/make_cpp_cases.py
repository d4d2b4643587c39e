"""Writes the saved cases C++ and Python must agree on (cpp/tests/cases/, see tests/cpp_cases.py)
from what the Python facade returns now. Run after a deliberate change of behaviour:

    .venv/bin/python scripts/make_cpp_cases.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from cpp_cases import CASES, CASES_DIR, write_case  # noqa: E402

if __name__ == "__main__":
    for case in CASES:
        write_case(case)
        print(f"wrote {CASES_DIR / case.name}")
