"""The child kept for a folder of files (``isolate.run(..., keep=True)``): one child reads
file after file, and is as bounded as a fresh one — a file too slow or failing ends it, the
next file gets a new one, and it is replaced after ``KEPT_FILES`` files."""

from __future__ import annotations

import os
import time

import pytest

from nianbao.system import isolate


def _pid(_: int = 0) -> int:
    return os.getpid()


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fail(_: int = 0) -> int:
    raise ValueError("坏文件")


def _grow(megabytes: int) -> int:
    global _held
    _held = bytearray(megabytes * 1024 * 1024)  # kept alive in the child after the answer
    return os.getpid()


_held = bytearray()


def _kept(work, *args, seconds: float = 10):
    return isolate.run(work, *args, seconds=seconds, what="测试文件", keep=True)


@pytest.fixture(autouse=True)
def _fresh():
    if isolate._kept is not None:
        isolate._kept.end()
        isolate._kept = None
    yield
    if isolate._kept is not None:
        isolate._kept.end()
        isolate._kept = None


def test_one_child_reads_file_after_file_and_is_not_this_process():
    first = _kept(_pid)
    assert first != os.getpid()
    assert [_kept(_pid) for _ in range(5)] == [first] * 5


def test_a_file_too_slow_ends_the_child_and_the_next_file_gets_a_new_one():
    first = _kept(_pid)
    with pytest.raises(isolate.ChildFailed, match="1秒内未能读完"):
        _kept(_sleep, 5, seconds=1)
    assert isolate._kept is None
    assert not os.path.exists(f"/proc/{first}") or open(f"/proc/{first}/stat").read().split()[2] == "Z"
    assert _kept(_pid) not in (first, os.getpid())


def test_a_failing_file_is_raised_here_and_ends_the_child():
    first = _kept(_pid)
    with pytest.raises(ValueError, match="坏文件"):
        _kept(_fail)
    second = _kept(_pid)
    assert second != first


def test_the_child_is_replaced_after_its_files_and_when_it_grew(monkeypatch):
    first = _kept(_pid)
    for _ in range(isolate.KEPT_FILES - 1):
        assert _kept(_pid) == first
    assert _kept(_pid) != first  # the one after its last
    if isolate._size() is None:
        pytest.skip("this system does not say a process's size (/proc)")
    grown = _kept(_grow, isolate.KEPT_GROWTH // (1024 * 1024) + 16)
    assert _kept(_pid) != grown


def test_work_that_cannot_be_sent_gets_a_fresh_child():
    def local(_: int = 0) -> int:
        return os.getpid()

    assert isolate.run(local, seconds=10, what="测试文件", keep=True) != os.getpid()
    assert isolate._kept is None
