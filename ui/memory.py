"""The server process's memory: what glibc's allocator keeps, and how it is handed back.

Python and NumPy free into glibc's malloc, which keeps freed pages for later (the process's
RSS stays where it was) and gives each new thread an arena of its own, up to eight a core.
Streamlit runs every script run on a fresh thread, so on a classroom server freed memory
ends up spread over up to 16 arenas on 2 cores, each holding its own free pages. Measured
with 30 students playing (3 runs each): RSS grew by 0.81-0.96 MB a student while the
memory malloc had in use grew by 0.35-0.45 MB; with the two settings below, by 0.48-0.54
MB (README "Memory"):

* ``limit_arenas``: two arenas, as ``deploy/serve`` sets with MALLOC_ARENA_MAX, but for any
  way the app is started (``streamlit run app.py`` too);
* ``give_back_memory``: glibc's ``malloc_trim(0)``, which returns every free page of every
  arena to the system. ``ui.frames.start_sweeper`` calls it every ten seconds, after
  releasing the runs of students who left.

Both are no-ops where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import functools
import os

ARENAS = 2  # malloc arenas for the server, as deploy/serve's MALLOC_ARENA_MAX
_M_ARENA_MAX = -8  # mallopt's parameter number for the arena limit (glibc's malloc.h)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim, libc.mallopt  # noqa: B018 - glibc has both
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Let glibc make at most ``arenas`` malloc arenas from now on (True when it took).

    Leaves a MALLOC_ARENA_MAX from the environment alone: whoever set it chose.
    """
    libc = _libc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def give_back_memory() -> bool:
    """Return the free pages of every malloc arena to the system: ``malloc_trim(0)``.

    True when some memory was returned. It holds each arena's lock while it walks it: a few
    milliseconds on a classroom server, tens after many runs were freed at once.
    """
    libc = _libc()
    return libc is not None and bool(libc.malloc_trim(0))
