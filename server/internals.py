"""Every use of a name that Streamlit or asyncio do not publish, in one place.

Each of these is an optimisation or a convenience, not something the app needs to work:

* Streamlit's session manager and its storage (``Runtime._session_mgr``, the manager's
  ``_session_storage`` and ``_storage_lock``, the storage's ``_cache.expire()``): to forget
  the sessions Streamlit keeps past their expiry (``server.memory``);
* asyncio's ``base_events._set_nodelay``: to set TCP_NODELAY on the connections Streamlit
  accepts (``server.frames.disable_nagle``);
* Streamlit's undocumented runtime (``runtime.get_instance().is_active_session`` and
  ``scriptrunner.get_script_run_ctx``): to tell which browser session registered a run and
  whether it is still connected (``server.frames.Registry``);
* Streamlit's ``AppSession._create_scriptrunner`` and the session's ``_scriptrunner``,
  ``_event_loop`` and ``_state``: so that a run's last messages are not lost when a rerun
  comes as it ends (``deliver_runs_in_order``; without them, about 1 page load in 70 of a
  busy classroom lost the end of a run);
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
import weakref
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


# -- Streamlit's script runners ---------------------------------------------------------------
# Sessions with a new script runner still to make, behind an old runner's messages: how many.
_DEFERRED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOSES_RUN_ENDS = "a run that ends as a rerun comes may lose its last elements and its end"


def deliver_runs_in_order() -> bool:
    """Have each Streamlit session deliver all of a run before it starts a new script runner.

    A session's ScriptRunner stops when a run ends with no rerun pending; the run's last
    messages (its last elements, then ``script_finished``) go to the browser through the
    server's event loop after that. A rerun request that the loop handles in between (the
    live chart's report, a fragment rerun) is refused by the stopped runner, and
    ``AppSession.request_rerun`` makes a new runner at once; the loop then drops the old
    runner's messages still queued, as those of a runner that is no longer current
    (Streamlit 1.62-1.67). The page lacks its last elements and never hears that its run
    finished (a protocol client waited for it until its timeout). Measured with the load
    client, 12 tabs loading at once on a 2-core machine with one core busy: 64 runs lost
    their end in 4,572 page loads; with this, none in 4,992.

    With this, a session that still holds a runner when it must make a new one makes it from
    the event loop, after everything that runner had queued (the loop runs callbacks in the
    order they came); a later rerun that comes meanwhile waits its turn behind it, and one
    that finds the new runner goes to it. True when it took; False (and one warning) when
    Streamlit lacks ``AppSession._create_scriptrunner``. Once per process.
    """
    from streamlit.runtime import app_session

    session_class = app_session.AppSession
    create = getattr(session_class, "_create_scriptrunner", None)
    if create is None:
        _missing("Streamlit's AppSession._create_scriptrunner", _LOSES_RUN_ENDS)
        return False
    if getattr(create, "delivers_runs_in_order", False):
        return True
    shutting_down = getattr(
        getattr(app_session, "AppSessionState", None), "SHUTDOWN_REQUESTED", object()
    )

    def create_after_the_old_runners_messages(session, rerun_data) -> None:
        if not all(hasattr(session, name) for name in ("_scriptrunner", "_event_loop")):
            _missing("Streamlit's AppSession._scriptrunner or _event_loop", _LOSES_RUN_ENDS)
            return create(session, rerun_data)
        old, loop = session._scriptrunner, session._event_loop
        if (old is None and not _DEFERRED.get(session)) or loop.is_closed():
            return create(session, rerun_data)  # nothing of an old runner's waits
        _DEFERRED[session] = _DEFERRED.get(session, 0) + 1

        def create_now() -> None:
            _DEFERRED[session] -= 1
            if getattr(session, "_state", None) is shutting_down:
                return  # as request_rerun does after a shutdown
            try:
                current = session._scriptrunner
                if current is None or current is old:
                    create(session, rerun_data)
                elif not current.request_rerun(rerun_data):
                    create_after_the_old_runners_messages(session, rerun_data)
            except Exception as error:  # what the request's own handler would show
                session.handle_backmsg_exception(error)

        loop.call_soon_threadsafe(create_now)

    create_after_the_old_runners_messages.delivers_runs_in_order = True
    session_class._create_scriptrunner = create_after_the_old_runners_messages
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
