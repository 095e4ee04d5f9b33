"""Loops compiled by numba, loaded without numba when they were built ahead of time.

A compiled loop comes from one of two caches:

* an **ahead-of-time module**: a plain extension module that ``bankbot batch warm-up``
  builds with ``numba.pycc`` (it needs a C compiler). Loading it imports nothing but the
  module itself, so a batch run skips numba's import and its cache load (about 0.4 s);
* else numba's own **disk cache** (``njit(cache=True)``): numba is imported, and the loop
  compiled on first use, only when a compiled loop is needed, so commands that never run
  one (``--version``, ``loan-calc``) start without it.

An ahead-of-time module is named after a key of everything its machine code depends on:
the loop's and its helpers' source, numpy's and Python's versions, and the target CPU
(``NUMBA_CPU_NAME``, or the host's model and feature flags). A changed loop, a different
machine or an upgrade therefore finds no module and falls back to numba.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import importlib.util
import inspect
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@cache
def compiled(
    function: Callable[..., T], helpers: tuple[Callable[..., object], ...] = ()
) -> Callable[..., T]:
    """``function`` compiled (GIL released while it runs): built ahead of time if it was,
    else by numba, cached on disk.

    ``helpers`` are the plain Python functions it calls, made callable from compiled code as
    they are (so the plain and the compiled loop share them). An ahead-of-time module takes
    the argument types it was built for; a call with other types goes to numba.
    """
    _LOOPS.append((function, helpers))
    loaded = _load(function, helpers)
    if loaded is None:
        return _jit(function, helpers)
    ahead, kinds = loaded

    def call(*args: Any) -> T:
        # The module trusts its arguments (a wrong dtype would be read as the right one), so
        # the types are checked here.
        if len(args) == len(kinds) and all(map(_is_kind, args, kinds)):
            result: T = ahead(*args)
            return result
        jit: Callable[..., T] = _jit(function, helpers)
        return jit(*args)

    return call


def _is_kind(value: object, kind: str) -> bool:
    """Whether ``value`` is of ``kind``: ``"int64"`` or ``"DTYPE NDIM"`` (a C-contiguous array)."""
    import numpy

    if kind == "int64":
        return isinstance(value, int | numpy.integer) and not isinstance(value, bool)
    dtype, ndim = kind.split()
    return (
        isinstance(value, numpy.ndarray)
        and value.dtype.name == dtype
        and value.ndim == int(ndim)
        and value.flags.c_contiguous
    )


#: How modules are built (their wrappers, the kinds file); part of the key, so a change
#: here makes old modules stale.
_BUILD = "nogil, kinds.json"

#: Every loop :func:`compiled` was asked for in this process, for :func:`build_ahead_of_time`.
_LOOPS: list[tuple[Callable[..., Any], tuple[Callable[..., object], ...]]] = []


@cache
def _jit(
    function: Callable[..., T], helpers: tuple[Callable[..., object], ...]
) -> Callable[..., T]:
    import numba
    import numba.extending

    for helper in helpers:
        numba.extending.register_jitable(helper)
    loop: Callable[..., T] = numba.njit(cache=True, nogil=True)(function)
    return loop


def build_ahead_of_time() -> list[tuple[str, str]]:
    """Build the ahead-of-time module of every loop this process used that has none yet.

    Each module holds the argument types of its loop's first compiled call, so run the
    loops first (``portfolio.run.warm_up``). Returns ``(loop, outcome)`` pairs: ``"built: PATH"``,
    ``"up to date"``, or why it could not be built (numba.pycc needs setuptools and a C
    compiler); the loop then keeps running from numba's cache. A module is written whole
    or not at all, and replaces the modules of older keys.
    """
    outcomes = []
    for function, helpers in dict.fromkeys(_LOOPS):
        name = function.__name__.strip("_")
        if _load(function, helpers) is not None:
            outcomes.append((name, "up to date"))
            continue
        try:
            outcomes.append((name, f"built: {_build(function, helpers)}"))
        except RuntimeError as error:
            outcomes.append((name, f"not built: {error}"))
    return outcomes


def _build(function: Callable[..., object], helpers: tuple[Callable[..., object], ...]) -> Path:
    jit: Any = _jit(function, helpers)
    if not jit.nopython_signatures:
        raise RuntimeError("it has not run, so its argument types are unknown")
    # One exported function per name: the types of the first call (the warm-up's).
    signature = jit.nopython_signatures[0]
    kinds = [_kind_of(argument) for argument in signature.args]
    try:
        pycc: Any = importlib.import_module("numba.pycc")
    except ImportError as error:  # numba.pycc imports setuptools
        raise RuntimeError(f"numba.pycc is unavailable ({error})") from None
    name = _module_name(function, helpers)
    target = _cache_dir(function)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".building-") as building, _nogil():
        cc = pycc.CC(name)
        cc.output_dir = building
        cc.target_cpu = os.environ.get("NUMBA_CPU_NAME") or "host"
        cc.export(function.__name__, signature)(function)
        try:
            cc.compile()
        except Exception as error:  # most often a missing C compiler, in distutils' words
            raise RuntimeError(f"numba.pycc failed: {error}".splitlines()[0]) from None
        built = Path(building) / str(cc.output_file)
        path = target / built.name
        (Path(building) / "kinds.json").write_text(json.dumps(kinds))
        os.replace(Path(building) / "kinds.json", _kinds_path(target, name))
        os.replace(built, path)  # last: the module's presence says it is complete
    for stale in target.glob(f"aot_{function.__name__.strip('_')}_*"):
        if not stale.name.startswith(name):
            stale.unlink()
    return path


@contextlib.contextmanager
def _nogil() -> Iterator[None]:
    """Make ``numba.pycc`` build wrappers that release the GIL, as ``njit(nogil=True)`` does
    (the kernel's threads need it); pycc has no option for it, so its flags are patched."""
    compiler: Any = importlib.import_module("numba.pycc.compiler")
    flags = compiler.Flags

    class NoGil(flags):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.release_gil = True

    compiler.Flags = NoGil
    try:
        yield
    finally:
        compiler.Flags = flags


def _kind_of(argument: Any) -> str:
    """The argument kind :func:`_is_kind` checks, of a numba type."""
    if str(argument) == "int64":
        return "int64"
    if getattr(argument, "layout", None) == "C":
        return f"{argument.dtype} {argument.ndim}"
    raise RuntimeError(f"argument type {argument} is not one an ahead-of-time loop takes")


def _kinds_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.kinds.json"


def _load(
    function: Callable[..., object], helpers: tuple[Callable[..., object], ...]
) -> tuple[Callable[..., Any], list[str]] | None:
    """The ahead-of-time loop of ``function`` and its argument kinds, or None if none was
    built for this key."""
    name = _module_name(function, helpers)
    directory = _cache_dir(function)
    files = (directory / f"{name}{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES)
    found = next((path for path in files if path.is_file()), None)
    spec = importlib.util.spec_from_file_location(name, found) if found else None
    if spec is None or spec.loader is None:
        return None
    try:
        kinds: list[str] = json.loads(_kinds_path(directory, name).read_text())
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except (OSError, ValueError, ImportError):  # half there, or not loadable: use numba
        return None
    return getattr(module, function.__name__), kinds


def _module_name(
    function: Callable[..., object], helpers: tuple[Callable[..., object], ...]
) -> str:
    import numpy

    key = hashlib.sha256()
    for part in (function, *helpers):
        key.update(inspect.getsource(part).encode())
    key.update(f"{_BUILD} {numpy.__version__} {sys.version} {_target_cpu()}".encode())
    return f"aot_{function.__name__.strip('_')}_{key.hexdigest()[:16]}"


def _target_cpu() -> str:
    """What the machine code is built for: ``NUMBA_CPU_NAME``, or this host's CPU."""
    named = os.environ.get("NUMBA_CPU_NAME")
    if named:
        return f"{named} {os.environ.get('NUMBA_CPU_FEATURES', '')}"
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return f"host {platform.machine()} {platform.processor()}"
    lines = [line for line in info.splitlines() if line.startswith(("model name", "flags"))]
    return "host " + " ".join(sorted(set(lines)))


def _cache_dir(function: Callable[..., object]) -> Path:
    """Where ahead-of-time modules live: beside numba's cache of the same loop."""
    numba_cache = os.environ.get("NUMBA_CACHE_DIR")
    if numba_cache:
        return Path(numba_cache) / "ahead-of-time"
    return Path(inspect.getfile(function)).parent / "__pycache__"
