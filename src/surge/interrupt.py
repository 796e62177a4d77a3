"""Ctrl-C during long work: a flag the solver polls, set by the SIGINT handler.

HiGHS runs in C++ and swallows a ``KeyboardInterrupt`` raised inside its callbacks. While
:func:`catch_sigint` is active, SIGINT only sets a flag; the solver's interrupt callback
sees it and stops HiGHS, and :func:`check` then raises ``KeyboardInterrupt`` so the command
ends with exit code 130 before it writes anything.

>>> requested()
False
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_flag = threading.Event()


def requested() -> bool:
    """Whether Ctrl-C was pressed since :func:`catch_sigint` began."""
    return _flag.is_set()


def check() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed."""
    if _flag.is_set():
        raise KeyboardInterrupt


@contextmanager
def catch_sigint() -> Iterator[None]:
    """Within the block, SIGINT sets the flag instead of raising at a random place; a third
    Ctrl-C raises at once. Outside the main thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    count = [0]

    def handler(signum: int, frame: FrameType | None) -> None:
        count[0] += 1
        _flag.set()
        if count[0] >= 3:
            raise KeyboardInterrupt

    _flag.clear()
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
        check()
    finally:
        signal.signal(signal.SIGINT, previous)
        _flag.clear()
