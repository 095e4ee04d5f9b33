"""Loops compiled by numba on first use: numba is imported only when a compiled loop is needed,
so commands that never run one (``--version``, ``loan-calc``) start without it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

T = TypeVar("T")


@cache
def compiled(
    function: Callable[..., T], helpers: tuple[Callable[..., object], ...] = ()
) -> Callable[..., T]:
    """``function`` compiled by numba (cached on disk, GIL released while it runs).

    ``helpers`` are the plain Python functions it calls, made callable from compiled code as
    they are (so the plain and the compiled loop share them).
    """
    import numba
    import numba.extending

    for helper in helpers:
        numba.extending.register_jitable(helper)
    loop: Callable[..., T] = numba.njit(cache=True, nogil=True)(function)
    return loop
