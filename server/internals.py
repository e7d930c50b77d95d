"""Every use of a name that Streamlit or asyncio do not publish, in one place.

Each of these is an optimisation or a convenience, not something the app needs to work:

* Streamlit's session manager and its storage (``Runtime._session_mgr``, the manager's
  ``_session_storage`` and ``_storage_lock``, the storage's ``_cache.expire()``): to forget
  the sessions Streamlit keeps past their expiry (``server.memory``);
* asyncio's ``base_events._set_nodelay``: to set TCP_NODELAY on the connections Streamlit
  accepts (``server.frames.disable_nagle``);
* Streamlit's undocumented runtime (``runtime.get_instance().is_active_session`` and
  ``scriptrunner.get_script_run_ctx``): to tell which browser session registered a run and
  whether it is still connected (``server.frames.Registry``).
* Streamlit's ``PagesManager.uses_pages_directory``: to say, before any session runs, that
  the app's pages come from ``st.navigation`` in app.py, not from the ``pages/`` folder
  (``no_pages_directory``).

Written against Streamlit 1.62-1.67 and CPython 3.11; any release may rename them. When a
name is missing, the function here logs one warning and does without it, so the app keeps
working and loses only what the name was for. ``tests/test_internals.py`` checks every name
against the installed Streamlit and Python, so that an upgrade that renames one fails CI
instead of quietly losing the optimisation.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from typing import Any

log = logging.getLogger(__name__)
_WARNED: set[str] = set()  # the names already reported missing (one warning each)
_STAY = "expired sessions stay until Streamlit's next write to its storage"


def _missing(name: str, consequence: str) -> None:
    if name not in _WARNED:
        _WARNED.add(name)
        log.warning("scratchnet: %s is missing from this version; %s.", name, consequence)


# -- Streamlit's sessions ---------------------------------------------------------------------
def session_manager() -> Any | None:
    """The running server's session manager (``Runtime._session_mgr``); None without a
    server, or when the name is missing."""
    from streamlit import runtime

    if not runtime.exists():
        return None
    manager = getattr(runtime.get_instance(), "_session_mgr", None)
    if manager is None:
        _missing("Streamlit's Runtime._session_mgr", _STAY)
    return manager


def expire_stored_sessions(manager: Any) -> list:
    """Remove from ``manager``'s session storage the sessions past their TTL, and return them
    (Streamlit's ``AppSession`` objects, not yet shut down); [] when the names are missing.

    Call it on the server's event loop: Streamlit touches its storage only there.
    """
    storage = getattr(manager, "_session_storage", None)
    expire = getattr(getattr(storage, "_cache", None), "expire", None)
    if expire is None:
        _missing(f"{type(manager).__name__}._session_storage._cache.expire", _STAY)
        return []
    # Streamlit 1.67 holds this lock while it moves sessions between its active map and its
    # storage (a logout may run on a script thread); earlier versions have no such lock.
    with getattr(manager, "_storage_lock", None) or contextlib.nullcontext():
        removed = expire()  # [(session id, SessionInfo)]
    return [info.session for _, info in removed]


def session_connected(session: str) -> bool:
    """True while Streamlit has a live connection for ``session``; True without a runtime
    (nobody can tell) or when ``Runtime.is_active_session`` is missing (then nothing is
    released for being disconnected; ``current_session`` says None, so runs go by idleness)."""
    from streamlit import runtime

    if not runtime.exists():
        return True
    is_active = getattr(runtime.get_instance(), "is_active_session", None)
    if is_active is None:
        _missing("Streamlit's Runtime.is_active_session", "runs are released by idleness only")
        return True
    return bool(is_active(session))


def current_session() -> str | None:
    """The Streamlit session of the script run on this thread; None outside one, or when
    Streamlit cannot say (``get_script_run_ctx`` or ``Runtime.is_active_session`` missing:
    a session we cannot check later is no use to the registry)."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:
        _missing("streamlit.runtime.scriptrunner.get_script_run_ctx", "runs go by idleness")
        return None
    if not hasattr(Runtime, "is_active_session"):
        _missing("Streamlit's Runtime.is_active_session", "runs are released by idleness only")
        return None
    ctx = get_script_run_ctx(suppress_warning=True)
    return getattr(ctx, "session_id", None)


# -- Streamlit's pages --------------------------------------------------------------------------
def no_pages_directory() -> bool:
    """Tell Streamlit that app.py's ``st.navigation`` lists the pages, although a ``pages/``
    folder sits beside it. Streamlit decides this once per process: until some session has
    run app.py (which calls ``st.navigation``), it takes the folder for old-style pages, so a
    page that reconnects to a fresh replica (after its own died) with the Playground's page
    id runs ``pages/playground.py`` alone: no page config, no navigation, and its link
    changes from ``/?...`` to ``/playground?...``. True when it took; False (and one warning)
    when the name is missing: then only a replica's first session after a failover is hit."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        PagesManager = None
    if PagesManager is None or not hasattr(PagesManager, "uses_pages_directory"):
        _missing(
            "Streamlit's PagesManager.uses_pages_directory",
            "a replica's first session after a failover may run a page without app.py",
        )
        return False
    PagesManager.uses_pages_directory = False
    return True


# -- asyncio's sockets -------------------------------------------------------------------------
def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def nodelay_on_every_tcp_socket() -> bool:
    """Have asyncio set TCP_NODELAY on every TCP connection it accepts or opens, not only on
    sockets made with protocol IPPROTO_TCP: replaces ``asyncio.base_events._set_nodelay``.
    True when it took; False (and one warning) when asyncio has no such function."""
    import asyncio.base_events

    if not callable(getattr(asyncio.base_events, "_set_nodelay", None)):
        _missing("asyncio.base_events._set_nodelay", "small answers may wait for Nagle (~40 ms)")
        return False
    asyncio.base_events._set_nodelay = _set_nodelay
    return True
