"""Calls into the core end before the interpreter does.

The core runs with the GIL released. A daemon thread still inside it when the interpreter finalizes
would, on taking the GIL back, be ended by CPython with a forced unwind through C++ frames that may
not unwind: the process aborts ("terminate called without an active exception"). At exit the gate
closes: calls in flight finish, later ones wait for good (the daemon thread dies with the process).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = threading.Condition()
_in_flight = 0
_closed = False
_never = threading.Event()


@contextmanager
def core_call() -> Iterator[None]:
    global _in_flight
    with _state:
        closed = _closed
        if not closed:
            _in_flight += 1
    if closed:
        _never.wait()
    try:
        yield
    finally:
        with _state:
            _in_flight -= 1
            _state.notify_all()


def _close() -> None:
    global _closed
    with _state:
        _closed = True
        _state.wait_for(lambda: _in_flight == 0)


atexit.register(_close)
