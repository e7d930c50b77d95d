"""server/memory.py: the server's malloc arenas are capped, free pages go back to the system, and
Streamlit's expired sessions are forgotten."""

import asyncio
import threading
import time

import numpy as np
import pytest

from server import memory

glibc = pytest.mark.skipif(memory._libc() is None, reason="needs glibc's malloc")


@glibc
def test_free_pages_go_back_to_the_system():
    # Many blocks below glibc's mmap threshold, every other one kept: the freed ones leave
    # whole free pages inside the heap, which only malloc_trim returns.
    blocks = [np.ones(8_000) for _ in range(2_000)]  # 64 KB each, 128 MB
    del blocks[::2]
    assert memory.give_back_memory()


@glibc
def test_the_arena_cap_is_set_unless_the_environment_chose(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert not memory.limit_arenas()
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert memory.limit_arenas()


class FakeSession:
    """What Streamlit's session storage holds of an AppSession, for these tests."""

    def __init__(self, session_id: str):
        self.id, self.shut_down = session_id, 0

    def shutdown(self) -> None:
        self.shut_down += 1


def test_expired_sessions_are_forgotten_and_shut_down():
    """Streamlit's own session manager and storage (the installed version's): a stored
    session within its TTL is kept, sessions past it are removed and shut down, once."""
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.runtime.session_manager import SessionInfo
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    def manager_with(storage):
        return WebsocketSessionManager(
            storage, MemoryUploadedFileManager("/up"), ScriptCache(), None
        )

    kept = FakeSession("kept")
    long_lived = MemorySessionStorage(ttl_seconds=600)
    long_lived.save(SessionInfo(client=None, session=kept))
    assert memory.forget_expired_sessions_now(manager_with(long_lived)) == 0
    assert kept.shut_down == 0 and long_lived.get("kept") is not None

    storage = MemorySessionStorage(ttl_seconds=0.01)
    manager = manager_with(storage)
    old, new = FakeSession("old"), FakeSession("new")
    for session in (old, new):
        storage.save(SessionInfo(client=None, session=session))
    forgotten, deadline = 0, time.monotonic() + 60
    while forgotten < 2 and time.monotonic() < deadline:
        forgotten += memory.forget_expired_sessions_now(manager)
        time.sleep(0.01)
    assert forgotten == 2
    assert (old.shut_down, new.shut_down) == (1, 1)
    assert memory.forget_expired_sessions_now(manager) == 0  # gone: not shut down twice
    assert (old.shut_down, new.shut_down) == (1, 1)


def test_forgetting_runs_on_the_servers_event_loop():
    """Asked from another thread (the sweeper), the work runs on the loop that st.App's
    lifespan noted; without a server nothing is scheduled."""
    assert not memory.forget_expired_sessions()
    ran_on: list = []

    async def serve() -> None:
        async with memory.lifespan(app=None):
            loop = asyncio.get_running_loop()
            ran_on.append(threading.get_ident())
            original = memory.forget_expired_sessions_now
            done = asyncio.Event()

            def spy() -> int:
                ran_on.append(threading.get_ident())
                done.set()
                return original()

            memory.forget_expired_sessions_now = spy
            try:
                thread = threading.Thread(
                    target=lambda: ran_on.append(memory.forget_expired_sessions())
                )
                thread.start()
                await asyncio.wait_for(done.wait(), 5)
                await loop.run_in_executor(None, thread.join)
            finally:
                memory.forget_expired_sessions_now = original
        assert not memory.forget_expired_sessions()  # the server stopped

    asyncio.run(serve())
    loop_thread, *rest = ran_on  # then, in either order: the spy's thread, the call's result
    assert len(rest) == 2 and loop_thread in rest and True in rest, ran_on
