"""server/memory.py: the server's malloc arenas are capped, free pages go back to the system, and
Streamlit's expired sessions are forgotten."""

import asyncio
import threading

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
    session past its TTL is removed and shut down, one within it is kept. The storage's
    cache is Streamlit's own TTLCache on a clock the test turns (no sleeping)."""
    from streamlit.runtime.caching.ttl_cache import TTLCache
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.runtime.session_manager import SessionInfo
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    now = [1000.0]
    storage = MemorySessionStorage(ttl_seconds=120)
    assert isinstance(storage._cache, TTLCache)  # the cache forget_expired_sessions_now expires
    storage._cache = TTLCache(maxsize=128, ttl=120, timer=lambda: now[0])
    manager = WebsocketSessionManager(
        storage, MemoryUploadedFileManager("/up"), ScriptCache(), None
    )
    old, new = FakeSession("old"), FakeSession("new")
    storage.save(SessionInfo(client=None, session=old))
    now[0] += 119
    assert memory.forget_expired_sessions_now(manager) == 0  # within its TTL: kept
    now[0] += 2
    storage.save(SessionInfo(client=None, session=new))  # a write: Streamlit reaps here...
    storage.save(SessionInfo(client=None, session=old))  # ...so store the old one again
    now[0] += 121
    assert memory.forget_expired_sessions_now(manager) == 2  # both past their TTL
    assert (old.shut_down, new.shut_down) == (1, 1)
    assert storage._cache._data == {}  # gone, not merely reported absent
    assert memory.forget_expired_sessions_now(manager) == 0


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
