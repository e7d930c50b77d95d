"""server/internals.py: the names Streamlit and asyncio do not publish exist in the installed
versions (an upgrade that renames one fails here, loudly), they do what the app uses them for,
and without them the app carries on (one warning, the optimisation lost)."""

import asyncio
import asyncio.base_events
import contextlib
import logging
import socket
import time

import pytest
from browser_support import wait_until_async
from streamlit import config
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime, RuntimeConfig
from streamlit.runtime.app_session import AppSession, AppSessionState
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.session_manager import SessionInfo
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager
from streamlit.testing.v1 import AppTest

from server import frames, internals, memory

TIMEOUT = 60  # seconds to wait for a condition before failing


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Each test sees the first warning for each missing name."""
    monkeypatch.setattr(internals, "_WARNED", set())


@pytest.fixture
def runtime(monkeypatch):
    """A real Streamlit Runtime, not started (what ``streamlit run`` has while it serves)."""
    monkeypatch.setattr(Runtime, "_instance", None)
    config = RuntimeConfig(
        script_path="app.py",
        media_file_storage=MemoryMediaFileStorage("/media"),
        uploaded_file_manager=MemoryUploadedFileManager("/upload"),
    )
    yield Runtime(config)
    monkeypatch.setattr(Runtime, "_instance", None)


def manager_with(storage: MemorySessionStorage) -> WebsocketSessionManager:
    return WebsocketSessionManager(storage, MemoryUploadedFileManager("/up"), ScriptCache(), None)


class FakeSession:
    """What Streamlit's session storage holds of an AppSession, for these tests."""

    def __init__(self, session_id: str):
        self.id, self.shut_down = session_id, 0

    def shutdown(self) -> None:
        self.shut_down += 1


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == internals.__name__]


# -- the names exist ---------------------------------------------------------------------------
def test_streamlit_still_has_the_private_names_the_app_uses(runtime):
    """If this fails after an upgrade, Streamlit renamed something: see server/internals.py."""
    manager = runtime._session_mgr
    assert isinstance(manager, WebsocketSessionManager)
    assert isinstance(manager._session_storage, MemorySessionStorage)
    assert callable(manager._session_storage._cache.expire)
    assert callable(runtime.is_active_session)
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    assert get_script_run_ctx(suppress_warning=True) is None  # not in a script run


def test_streamlit_still_has_the_app_sessions_private_names(runtime, tmp_path, no_file_watcher):
    """If this fails after an upgrade, see ``internals.deliver_runs_in_order``."""
    assert callable(AppSession._create_scriptrunner)
    assert AppSessionState.SHUTDOWN_REQUESTED

    async def names() -> set[str]:
        session = new_session(tmp_path)
        try:
            return {n for n in ("_scriptrunner", "_event_loop", "_state") if hasattr(session, n)}
        finally:
            session.shutdown()

    assert asyncio.run(names()) == {"_scriptrunner", "_event_loop", "_state"}


def test_asyncio_still_has_the_private_hook_the_app_replaces():
    """If this fails after a Python upgrade, asyncio renamed it: see server/internals.py."""
    assert callable(asyncio.base_events._set_nodelay)


# -- they do what the app uses them for --------------------------------------------------------
def test_the_servers_session_manager_is_found(runtime, caplog):
    assert internals.session_manager() is runtime._session_mgr
    assert not warnings_of(caplog)


def test_no_server_no_session_manager():
    assert not Runtime.exists()
    assert internals.session_manager() is None


def test_expired_sessions_leave_streamlits_storage(caplog):
    """A session within its TTL stays; sessions past it are removed from the storage itself
    (not merely reported absent) and returned, each once."""
    long_lived = MemorySessionStorage(ttl_seconds=600)
    kept = FakeSession("kept")
    long_lived.save(SessionInfo(client=None, session=kept))
    assert internals.expire_stored_sessions(manager_with(long_lived)) == []
    assert long_lived.get("kept") is not None

    storage = MemorySessionStorage(ttl_seconds=0.01)
    manager = manager_with(storage)
    sessions = [FakeSession("a"), FakeSession("b")]
    for session in sessions:
        storage.save(SessionInfo(client=None, session=session))
    expired: list = []
    deadline = time.monotonic() + TIMEOUT
    while len(expired) < 2 and time.monotonic() < deadline:
        expired += internals.expire_stored_sessions(manager)
        time.sleep(0.01)
    assert sorted(s.id for s in expired) == ["a", "b"]
    assert storage._cache._data == {}  # gone, not merely reported absent
    assert internals.expire_stored_sessions(manager) == []
    assert not warnings_of(caplog)


def test_expiring_holds_the_managers_storage_lock_when_it_has_one():
    """Streamlit 1.67's manager guards its storage with ``_storage_lock``: expiry holds it."""
    manager = manager_with(MemorySessionStorage(ttl_seconds=600))
    held: list[bool] = []

    class SpyLock:
        locked = False

        def __enter__(self):
            self.locked = True

        def __exit__(self, *exc):
            self.locked = False

    spy = SpyLock()
    cache = manager._session_storage._cache
    expire = cache.expire

    def spy_expire():
        held.append(spy.locked)
        return expire()

    cache.expire = spy_expire
    manager._storage_lock = spy
    internals.expire_stored_sessions(manager)
    assert held == [True]


def test_session_connected_asks_streamlit(runtime):
    assert not internals.session_connected("no-such-session")
    assert frames.session_connected("no-such-session") is False


def test_without_a_server_every_session_counts_as_connected():
    assert internals.session_connected("anything")


def test_a_script_run_knows_its_session():
    def script():
        import streamlit as st

        from server import internals

        st.text(internals.current_session() or "no session")

    at = AppTest.from_function(script).run(timeout=TIMEOUT)
    assert not at.exception
    session = at.text[0].value
    assert session != "no session" and len(session) > 8
    assert internals.current_session() is None  # this thread runs no script


# A page like the Playground's: a fragment (the live chart), then more of the page.
PAGE = """
import streamlit as st

@st.fragment
def chart():
    st.text("the chart")

chart()
st.text("the rest of the page")
"""


def new_session(tmp_path) -> AppSession:
    """A Streamlit session running ``PAGE`` (call it on a running event loop)."""
    script = tmp_path / "page.py"
    script.write_text(PAGE)
    return AppSession(
        ScriptData(str(script)), MemoryUploadedFileManager("/up"), ScriptCache(), None, {}
    )


@pytest.fixture
def no_file_watcher():
    before = config.get_option("server.fileWatcherType")
    config.set_option("server.fileWatcherType", "none")
    yield
    config.set_option("server.fileWatcherType", before)


def test_a_run_that_ends_as_a_fragment_rerun_comes_reaches_the_page_whole(
    runtime, tmp_path, monkeypatch, no_file_watcher
):
    """A run's messages reach the page through the event loop after its script thread has
    stopped. The live chart's report (a rerun of its fragment) handled in between found the
    runner stopped, Streamlit made a new one, and the loop dropped the stopped runner's
    messages: the rest of the page and the run's end (a protocol client waited for it 90 s;
    a browser never played). Here the loop is kept from running until the script thread
    has ended, then the fragment's rerun comes."""
    monkeypatch.setattr(AppSession, "_create_scriptrunner", AppSession._create_scriptrunner)
    assert internals.deliver_runs_in_order()
    finished = ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY

    async def scenario() -> list[ForwardMsg]:
        session = new_session(tmp_path)
        sent: list[ForwardMsg] = []

        async def until(condition, what: str) -> None:  # what the session sent, kept
            await wait_until_async(
                lambda: sent.extend(session.flush_browser_queue()) or condition(),
                what=what,
                timeout=TIMEOUT,
            )

        def ends() -> list:
            return [m.script_finished for m in sent if m.WhichOneof("type") == "script_finished"]

        try:
            session.request_rerun(ClientState())  # the page loads
            await until(lambda: finished[0] in ends(), "loaded")
            fragment = next(m.delta.fragment_id for m in sent if m.delta.fragment_id)
            sent.clear()
            session.request_rerun(ClientState())  # a full run again (a click)
            runner = session._scriptrunner
            runner._script_thread.join(TIMEOUT)  # the loop waits: its messages are queued
            assert not runner._script_thread.is_alive()
            session.request_rerun(ClientState(fragment_id=fragment))  # the chart reports
            await until(lambda: finished[1] in ends(), "the fragment rerun finished")
        finally:
            session.shutdown()
        return sent

    sent = asyncio.run(scenario())
    texts = [m.delta.new_element.text.body for m in sent if m.WhichOneof("type") == "delta"]
    ends = [m.script_finished for m in sent if m.WhichOneof("type") == "script_finished"]
    assert "the rest of the page" in texts, texts
    assert ends == list(finished), ends  # the click's run ended, then the fragment's


async def _nodelay_of_an_accepted_connection() -> int:
    """Accept one loopback connection on a socket made as Streamlit makes its own
    (``socket.socket(family)``: protocol 0) and read TCP_NODELAY on the accepted socket."""
    seen: asyncio.Future = asyncio.get_running_loop().create_future()

    async def handle(reader, writer):
        sock = writer.get_extra_info("socket")
        seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    listener = socket.socket(socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(handle, sock=listener)
    async with server:
        _, writer = await asyncio.open_connection(*listener.getsockname())
        nodelay = await asyncio.wait_for(seen, TIMEOUT)
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return nodelay


def test_accepted_connections_get_nodelay(monkeypatch):
    # Restored after the test, whatever disable_nagle put there.
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", asyncio.base_events._set_nodelay)
    frames.disable_nagle()
    assert asyncio.base_events._set_nodelay is internals._set_nodelay
    assert asyncio.run(_nodelay_of_an_accepted_connection()) != 0


# -- without them the app carries on -----------------------------------------------------------
def test_without_the_session_manager_nothing_is_forgotten(runtime, monkeypatch, caplog):
    monkeypatch.delattr(runtime, "_session_mgr")
    caplog.set_level(logging.WARNING)
    assert internals.session_manager() is None
    assert memory.forget_expired_sessions_now() == 0
    assert len(warnings_of(caplog)) == 1  # once, however often the sweeper asks
    assert "_session_mgr" in warnings_of(caplog)[0]


def test_without_the_session_storage_nothing_is_forgotten(monkeypatch, caplog):
    storage = MemorySessionStorage(ttl_seconds=0.01)
    session = FakeSession("a")
    storage.save(SessionInfo(client=None, session=session))
    manager = manager_with(storage)
    deadline = time.monotonic() + TIMEOUT
    while storage.get("a") is not None and time.monotonic() < deadline:
        time.sleep(0.01)  # until it is past its TTL: only the missing name keeps it
    monkeypatch.delattr(type(storage._cache), "expire")
    caplog.set_level(logging.WARNING)
    assert memory.forget_expired_sessions_now(manager) == 0
    assert memory.forget_expired_sessions_now(manager) == 0
    assert session.shut_down == 0
    assert len(warnings_of(caplog)) == 1 and "expire" in warnings_of(caplog)[0]


def test_without_is_active_session_runs_go_by_idleness(runtime, monkeypatch, caplog):
    monkeypatch.delattr(Runtime, "is_active_session")
    caplog.set_level(logging.WARNING)
    assert internals.session_connected("no-such-session")  # nothing released for it
    assert internals.current_session() is None  # so runs are registered without a session
    assert len(warnings_of(caplog)) == 1 and "is_active_session" in warnings_of(caplog)[0]


def test_without_asyncios_hook_nagle_stays_and_the_app_starts(monkeypatch, caplog):
    monkeypatch.delattr(asyncio.base_events, "_set_nodelay")
    caplog.set_level(logging.WARNING)
    assert not internals.nodelay_on_every_tcp_socket()
    frames.disable_nagle()  # what app.py calls: no exception
    assert not hasattr(asyncio.base_events, "_set_nodelay")
    assert len(warnings_of(caplog)) == 1 and "_set_nodelay" in warnings_of(caplog)[0]


# -- the pages folder ---------------------------------------------------------------------------
def test_streamlit_takes_a_pages_folder_beside_the_script_for_old_style_pages(monkeypatch):
    """What no_pages_directory is for: in a process where no session has run app.py yet,
    Streamlit 1.67 sees pages/ beside it and would run a page's file alone."""
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager("app.py")
    assert PagesManager.uses_pages_directory is True


def test_no_pages_directory_makes_every_session_run_app_py(monkeypatch, caplog):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    assert internals.no_pages_directory()
    PagesManager("app.py")  # a session's: it no longer looks at the folder
    assert PagesManager.uses_pages_directory is False
    assert warnings_of(caplog) == []


def test_without_the_pages_switch_the_app_starts(monkeypatch, caplog):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.delattr(PagesManager, "uses_pages_directory")
    assert not internals.no_pages_directory()
    assert not hasattr(PagesManager, "uses_pages_directory")
    assert len(warnings_of(caplog)) == 1


def test_without_create_scriptrunner_runs_go_as_streamlit_makes_them(monkeypatch, caplog):
    monkeypatch.delattr(AppSession, "_create_scriptrunner")
    caplog.set_level(logging.WARNING)
    assert not internals.deliver_runs_in_order()
    assert not internals.deliver_runs_in_order()
    assert not hasattr(AppSession, "_create_scriptrunner")
    assert len(warnings_of(caplog)) == 1 and "_create_scriptrunner" in warnings_of(caplog)[0]
