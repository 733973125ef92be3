"""Per-file budgets: a file that hangs, eats memory or crashes the parser costs one worker."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from samples import SAMPLE

from orchestration.stages import supervisor
from orchestration.stages.supervisor import ParseTask, parse_supervised


def task(path):
    return ParseTask(hashlib.sha256(path.read_bytes()).hexdigest(), path.name, path)


def run(tasks, **kw):
    args = {"workers": 2, "timeout_s": 20, "memory_mb": 1024, "max_bytes": 10_000_000} | kw
    return {o.task.name: o for o in parse_supervised(tasks, **args)}


def test_good_and_bad_files_each_get_an_outcome(tmp_path):
    good = tmp_path / "good.txt"
    shutil.copy(SAMPLE, good)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 20_000)
    out = run([task(good), task(empty), task(big)], max_bytes=10_000)
    assert out["good.txt"].report.agency == "和田地区行署办公室"
    assert out["empty.txt"].error == "empty.txt: empty file"
    assert "20,000 bytes, over the limit XXGK_MAX_FILE_BYTES=10,000" in out["big.txt"].error


def _hang(*args, **kwargs):
    import time

    time.sleep(3600)


def _crash(*args, **kwargs):
    import os

    os._exit(9)


def _eat_memory(*args, **kwargs):
    return bytearray(4 * 1024 * 1024 * 1024)


def make_evil(monkeypatch, behaviour) -> None:
    """A file named 'evil.txt' triggers ``behaviour`` inside the worker. Forked workers inherit
    the patched function (a forkserver would import a fresh module): run with start_method="fork"."""
    real = supervisor.parse_one

    def patched(t, max_bytes):
        if t.name == "evil.txt":
            behaviour()
        return real(t, max_bytes)

    monkeypatch.setattr(supervisor, "parse_one", patched)


@pytest.mark.parametrize(("behaviour", "reason"), [
    (_hang, "longer than XXGK_PARSE_TIMEOUT_S=2 s"),
    (_crash, "parser process died (exit code 9)"),
    (_eat_memory, "over the memory limit XXGK_PARSE_MEMORY_MB=512"),
])
def test_pathological_file_is_contained(tmp_path, monkeypatch, behaviour, reason):
    """A file named 'evil.txt' triggers the behaviour inside the worker; the others parse."""
    good = tmp_path / "good.txt"
    shutil.copy(SAMPLE, good)
    evil = tmp_path / "evil.txt"
    shutil.copy(SAMPLE, evil)
    evil.write_bytes(evil.read_bytes() + b"\n")
    make_evil(monkeypatch, behaviour)
    out = run([task(evil), task(good)], timeout_s=2, memory_mb=512, start_method="fork")
    assert reason in out["evil.txt"].error and out["evil.txt"].error.startswith("evil.txt: ")
    assert out["good.txt"].report is not None


@pytest.mark.parametrize(("behaviour", "reason"), [
    (_hang, "longer than XXGK_PARSE_TIMEOUT_S=2 s"),
    (_crash, "parser process died (exit code 9)"),
])
def test_files_sent_behind_a_pathological_one_are_parsed_by_the_next_worker(tmp_path, monkeypatch, behaviour,
                                                                              reason):
    """One worker holds two files at a time (supervisor.IN_FLIGHT): when the first kills it,
    the file queued behind it goes to the fresh worker, not down with the old one."""
    assert supervisor.IN_FLIGHT == 2
    paths = []
    for n, name in enumerate(["evil.txt", "good1.txt", "good2.txt", "good3.txt"]):
        path = tmp_path / name
        path.write_bytes(SAMPLE.read_bytes() + b"\n" * n)
        paths.append(path)
    make_evil(monkeypatch, behaviour)
    out = run([task(p) for p in paths], workers=1, timeout_s=2, start_method="fork")
    assert sorted(out) == ["evil.txt", "good1.txt", "good2.txt", "good3.txt"]
    assert reason in out["evil.txt"].error
    assert all(out[f"good{n}.txt"].report.agency == "和田地区行署办公室" for n in (1, 2, 3))
