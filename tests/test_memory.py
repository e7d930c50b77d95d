"""ui/memory.py: the server's malloc arenas are capped, and free pages go back to the system."""

import numpy as np
import pytest

from ui import memory

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
