"""Calls into the core end before the interpreter does.

The core runs with the GIL released. A daemon thread still inside it when the interpreter finalizes
would, on taking the GIL back, be ended by CPython with a forced unwind through C++ frames that may
not unwind: the process aborts ("terminate called without an active exception"). At exit the gate
closes: calls in flight finish, and later calls from other threads wait for good (a daemon thread
dies with the process). The main thread always goes through: finalization cannot begin while it
runs, and an atexit or finalizer callback of its own must not hang.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Gate:
    def __init__(self) -> None:
        self.state = threading.Condition()
        self.in_flight = 0
        self.closed = False


_gate = _Gate()
_never = threading.Event()


@contextmanager
def core_call() -> Iterator[None]:
    gate = _gate
    with gate.state:
        wait = gate.closed and threading.current_thread() is not threading.main_thread()
        if not wait:
            gate.in_flight += 1
    if wait:
        _never.wait()
    try:
        yield
    finally:
        with gate.state:
            gate.in_flight -= 1
            gate.state.notify_all()


def _close() -> None:
    with _gate.state:
        _gate.closed = True
        _gate.state.wait_for(lambda: _gate.in_flight == 0)


def _reset_in_child() -> None:
    # A forked child has none of the parent's other threads: their calls in flight (and a lock one
    # of them held) are not the child's.
    global _gate
    _gate = _Gate()


atexit.register(_close)
os.register_at_fork(after_in_child=_reset_in_child)
