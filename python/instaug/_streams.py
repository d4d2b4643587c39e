"""Where each call's randomness comes from: call `index` of the stream `seed`, a pure function of
the two (the core turns them into the call's generator), so results never depend on threads.

A Compose owns one CallStream. Forked workers (a DataLoader's) get streams of their own; a call
may bring its own `invocation_seed` instead, which leaves the stream where it was."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from instaug import _core

MASK64 = 0xFFFFFFFFFFFFFFFF
# Calls with their own invocation_seed take this call index, which no stream reaches.
INVOCATION_INDEX = MASK64


def call_seed(seed: int, index: int) -> int:
    """The seed of call number `index`: a pure function of (seed, index), whatever thread asks."""
    return _core.call_seed(seed & MASK64, index & MASK64)


@dataclass(frozen=True)
class Draw:
    """What one call's randomness comes from: call `index` of the stream `seed`."""

    seed: int
    index: int
    force_apply: bool = False

    def coin(self) -> float:
        """A uniform number in [0, 1) of this call's own, for the facade (ToTensorV2's p)."""
        return (call_seed(self.seed, self.index) & 0xFFFFFFFF) / 2.0**32


def check_call_options(invocation_seed: Any, force_apply: Any, where: str) -> None:
    if invocation_seed is not None and (
        isinstance(invocation_seed, bool) or not isinstance(invocation_seed, (int, np.integer))
    ):
        kind = type(invocation_seed).__name__
        raise TypeError(f"{where}invocation_seed must be an integer or None, got {kind}")
    if not isinstance(force_apply, (bool, np.bool_)):
        raise TypeError(f"{where}force_apply must be True or False, got {type(force_apply).__name__}")


def call_options(data: dict[str, Any], where: str) -> tuple[dict[str, Any], int | None, bool]:
    """A batch call's data without its options (invocation_seed, force_apply), and the options."""
    data = dict(data)
    seed, force = data.pop("invocation_seed", None), data.pop("force_apply", False)
    check_call_options(seed, force, f"{where}: ")
    return data, None if seed is None else int(seed), bool(force)


def _torch_worker_seed() -> int | None:
    """torch's seed of this DataLoader worker (base seed + worker id), None outside one."""
    torch_data = sys.modules.get("torch.utils.data")  # never imported here: a worker has it
    info = None if torch_data is None else torch_data.get_worker_info()
    return None if info is None else int(info.seed) & MASK64


def _worker_identity() -> int:
    """What tells a forked process outside torch from its siblings: a multiprocessing pool worker's
    numbers (nested pools included), else the process id (not reproducible run to run)."""
    identity = multiprocessing.current_process()._identity
    if identity:
        value = 1
        for number in identity:
            value = (value * 1_000_003 + int(number)) & MASK64
        return value
    return (2 << 32) + os.getpid()


# Every stream, so that a forked child can give each a fresh lock: one of the parent's threads
# may have held it at the fork, and that thread does not exist in the child.
_LIVE: weakref.WeakSet[CallStream] = weakref.WeakSet()


def _fresh_locks_in_child() -> None:
    for stream in list(_LIVE):
        stream.lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_locks_in_child)


class CallStream:
    """The seed and the count of calls made from it."""

    def __init__(self, seed: int | None) -> None:
        self.lock = threading.Lock()
        _LIVE.add(self)
        self.restart(seed)

    def restart(self, seed: int | None) -> None:
        """Restart from `seed` (None: a fresh random seed)."""
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"seed must be an integer or None, got {type(seed).__name__}")
        with self.lock:
            self.given_seed = None if seed is None else int(seed)
            self._start(self.given_seed)

    def _start(self, seed: int | None) -> None:
        worker_seed = self.worker_seed = _torch_worker_seed()
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little")
        elif worker_seed is not None:
            # Built inside a DataLoader worker (spawn, or a dataset that makes its own Compose):
            # each worker still gets its own stream.
            seed = call_seed(seed & MASK64, worker_seed)
        self.seed = seed
        self.calls = 0
        self.pid = os.getpid()

    def _next(self, count: int) -> list[tuple[int, int]]:
        """(seed, call index) of the next `count` calls."""
        with self.lock:
            if os.getpid() != self.pid:
                self._enter_forked_process()
            elif _torch_worker_seed() != self.worker_seed:
                # Unpickled before torch made this process a DataLoader worker (spawn, forkserver):
                # the worker's own stream starts with its first call.
                self._start(self.given_seed)
            first, seed = self.calls, self.seed & MASK64
            self.calls += count
        return [(seed, first + i) for i in range(count)]

    def _enter_forked_process(self) -> None:
        """A forked worker (a DataLoader's) inherits the parent's seed and call count: left alone,
        every worker would repeat the same augmentations. Each draws its own stream instead: a
        fresh one without a seed; with one, the seed mixed with the worker's identity (torch's
        per-worker seed, so that torch.manual_seed reproduces an epoch and epochs differ)."""
        if self.given_seed is None or _torch_worker_seed() is not None:
            self._start(self.given_seed)
            return
        self._start(call_seed(self.given_seed & MASK64, _worker_identity()))

    def draws(self, options: list[tuple[int | None, bool]]) -> list[Draw]:
        """The draw of each call from its (invocation_seed, force_apply): the next of the stream,
        or the call's own seed (which does not advance the stream)."""
        stream = iter(self._next(sum(seed is None for seed, _ in options)))
        return [
            Draw(*(next(stream) if seed is None else (seed & MASK64, INVOCATION_INDEX)), force)
            for seed, force in options
        ]
