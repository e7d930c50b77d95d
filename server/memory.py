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
  arena to the system. ``server.frames.start_sweeper`` calls it every ten seconds, after
  releasing the runs of students who left.

Both are no-ops where the C library is not glibc.

And Streamlit's own copies of sessions that expired: Streamlit keeps a disconnected
session for ``server.disconnectedSessionTTL`` (120 s), then considers it gone, but removes
it from its session storage only on the storage's next write (the next disconnect of
anyone), and never shuts it down (its uploaded files stay). After a class leaves nobody
may disconnect again: ``forget_expired_sessions`` does what that write would, and shuts
the sessions down as Streamlit's ``close_session`` does. Measured with 100 students who
played and left (``bench_classroom.py --memory``): README "Memory".
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import os

from server import internals

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


# -- sessions Streamlit keeps past their expiry ----------------------------------------------
_LOOP: asyncio.AbstractEventLoop | None = None  # the server's event loop (see lifespan)


@contextlib.asynccontextmanager
async def lifespan(app):  # st.App passes itself
    """``st.App(lifespan=...)``: note the server's event loop, the only thread on which
    Streamlit touches its session storage."""
    global _LOOP
    _LOOP = asyncio.get_running_loop()
    try:
        yield None
    finally:
        _LOOP = None


def forget_expired_sessions() -> bool:
    """From any thread: have the server's event loop drop and shut down the sessions that
    Streamlit keeps past their expiry (``forget_expired_sessions_now``). False without a
    server (no loop noted)."""
    loop = _LOOP
    if loop is None or loop.is_closed():
        return False
    loop.call_soon_threadsafe(forget_expired_sessions_now)
    return True


def forget_expired_sessions_now(manager=None) -> int:
    """On the server's event loop: remove the expired sessions from Streamlit's session
    storage and shut each down as Streamlit's ``close_session`` does; how many. ``manager``:
    Streamlit's session manager (the running server's by default).

    The storage and its expiry are Streamlit's private names (``server.internals``); when a
    version lacks them this does nothing but warn once, and Streamlit reaps on its next write
    as before.
    """
    if manager is None:
        manager = internals.session_manager()
        if manager is None:
            return 0
    sessions = internals.expire_stored_sessions(manager)
    for session in sessions:
        session.shutdown()
    return len(sessions)
