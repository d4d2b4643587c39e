"""The installed package: one version everywhere, and what type checkers read."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import instaug as A

ROOT = Path(__file__).resolve().parent.parent


def test_one_version_everywhere() -> None:
    """cpp/include/instaug/version.hpp is the one source: the C++ library, the wheel's metadata and
    instaug.__version__ all say it."""
    header = (ROOT / "cpp" / "include" / "instaug" / "version.hpp").read_text()
    stated = re.search(r'#define INSTAUG_VERSION_STRING "([^"]+)"', header)
    assert stated is not None
    assert A.__version__ == A._core.version == importlib.metadata.version("instaug") == stated.group(1)


def test_the_package_is_typed() -> None:
    """py.typed marks the package as typed; the compiled module comes with stubs made from it."""
    package = Path(A.__file__).parent
    assert (package / "py.typed").exists()
    stub = (package / "_core.pyi").read_text()
    assert "class Geometry:" in stub and "def unmap_bboxes(" in stub and "class Pipeline:" in stub
