"""Parse files in worker processes, each file under a time and a memory budget.

One pathological file (a parser that never ends, a zip bomb that eats memory, a crash in a
native library) costs one worker process, never the run: the supervisor kills or loses the
worker, records the file as unreadable with the reason, and starts a fresh worker for the
rest. Workers are forked from a forkserver that has already imported the parser, so a new
worker is cheap.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import resource
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

import pyarrow as pa

from ..reports.model import ParsedReport, UnreadableReport

_PRELOAD = ["orchestration.reports.parser", "orchestration.reports.readers", "pyarrow"]

# The columns of raw."values" (warehouse.DDL).
VALUE_SCHEMA = pa.schema([("report_id", pa.string()), ("table_code", pa.string()), ("row_code", pa.string()),
                          ("column_code", pa.string()), ("value", pa.float64()), ("raw_text", pa.string()),
                          ("line", pa.int32())])


@dataclass(frozen=True)
class ParseTask:
    sha256: str
    name: str
    path: Path


@dataclass(frozen=True)
class ParseOutcome:
    task: ParseTask
    report: ParsedReport | None  # without its values: they come as ``values``
    error: str | None  # one line naming the file and the reason
    values: pa.Table | None = None  # the report's rows of raw."values" (values_table)


def values_table(report: ParsedReport) -> pa.Table:
    """The report's values as rows of raw."values", in Arrow columns. Built in the worker: the
    parent, which also stores every batch, then neither unpickles ~200 objects per report nor
    reshapes them into a frame (0.85 -> 0.07 ms of the parent's CPU per report, RESULTS (2c))."""
    values = report.values
    return pa.table([
        pa.array([report.sha256] * len(values), pa.string()),
        pa.array([v.table for v in values], pa.string()),
        pa.array([v.row for v in values], pa.string()),
        pa.array([v.column for v in values], pa.string()),
        pa.array([None if v.value is None else float(v.value) for v in values], pa.float64()),
        pa.array([v.raw for v in values], pa.string()),
        pa.array([v.line for v in values], pa.int32()),
    ], schema=VALUE_SCHEMA)


def parse_one(task: ParseTask, max_bytes: int) -> ParsedReport:
    from ..reports.parser import parse_document
    from ..reports.readers import read_document

    size = task.path.stat().st_size
    if size > max_bytes:
        raise UnreadableReport(f"{task.name}: file is {size:,} bytes, over the limit "
                               f"XXGK_MAX_FILE_BYTES={max_bytes:,}")
    return parse_document(read_document(task.path.read_bytes(), task.name), task.sha256)


def _worker(conn: Connection, memory_mb: int, max_bytes: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            report = parse_one(task, max_bytes)
            conn.send(ParseOutcome(task, dataclasses.replace(report, values=[]), None, values_table(report)))
        except UnreadableReport as exc:
            conn.send(ParseOutcome(task, None, str(exc)))
        except MemoryError:
            conn.send(ParseOutcome(task, None, f"{task.name}: over the memory limit "
                                               f"XXGK_PARSE_MEMORY_MB={memory_mb} while parsing"))
        except Exception as exc:  # noqa: BLE001 - a parser bug: recorded against the file, the worker goes on
            conn.send(ParseOutcome(task, None, f"{task.name}: parser error ({type(exc).__name__}: {exc})"))


# Tasks sent ahead to each worker: the next file is already in its pipe when it finishes one,
# so it does not wait for the parent (which shares the cores with the workers) to read the
# outcome and send another.
IN_FLIGHT = 2


class _Worker:
    def __init__(self, ctx, memory_mb: int, max_bytes: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, memory_mb, max_bytes), daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[ParseTask] = deque()  # sent, in order; the first is being parsed
        self.deadline = 0.0  # of the first

    @property
    def task(self) -> ParseTask | None:
        return self.tasks[0] if self.tasks else None

    def give(self, task: ParseTask, timeout_s: float) -> None:
        if not self.tasks:
            self.deadline = time.monotonic() + timeout_s
        self.tasks.append(task)
        self.conn.send(task)

    def done(self, timeout_s: float) -> None:
        """The first task has an outcome; the next one (already sent) starts its clock now."""
        self.tasks.popleft()
        self.deadline = time.monotonic() + timeout_s

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def parse_supervised(tasks: Iterable[ParseTask], workers: int, timeout_s: float, memory_mb: int,
                     max_bytes: int, start_method: str = "forkserver") -> Iterator[ParseOutcome]:
    """Yield one outcome per task (in completion order). ``start_method`` "fork" lets tests
    inject behaviour into the workers."""
    pending = list(tasks)
    pending.reverse()
    if not pending:
        return
    ctx = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)
    pool = [_Worker(ctx, memory_mb, max_bytes) for _ in range(max(1, min(workers, len(pending))))]

    def top_up(worker: _Worker) -> None:
        while pending and len(worker.tasks) < IN_FLIGHT:
            worker.give(pending.pop(), timeout_s)

    def replace(i: int, worker: _Worker) -> _Worker:
        """Kill a worker whose first task failed it; the tasks sent after it go back to the
        front of the queue, for the fresh worker that takes its place."""
        worker.stop(kill=True)
        pending.extend(reversed(list(worker.tasks)[1:]))
        pool[i] = _Worker(ctx, memory_mb, max_bytes)
        return pool[i]

    try:
        for worker in pool:  # one task each first, so that a short queue is shared
            if pending:
                worker.give(pending.pop(), timeout_s)
        for worker in pool:
            top_up(worker)
        while any(w.tasks for w in pool):
            busy = [w for w in pool if w.tasks]
            now = time.monotonic()
            ready = wait([w.conn for w in busy], timeout=max(0.0, min(w.deadline for w in busy) - now))
            for i, worker in enumerate(pool):
                if not worker.tasks:
                    continue
                outcome = None
                if worker.conn in ready:
                    try:
                        outcome = worker.conn.recv()
                        worker.done(timeout_s)
                    except (EOFError, OSError):
                        worker.process.join(2)
                        code = worker.process.exitcode
                        outcome = ParseOutcome(worker.task, None, f"{worker.task.name}: the parser process "
                                               f"died (exit code {code}); likely out of memory or a crash")
                        worker = replace(i, worker)
                elif time.monotonic() >= worker.deadline:
                    outcome = ParseOutcome(worker.task, None, f"{worker.task.name}: parsing took longer than "
                                           f"XXGK_PARSE_TIMEOUT_S={timeout_s:g} s; stopped")
                    worker = replace(i, worker)
                if outcome is None:
                    continue
                top_up(worker)
                yield outcome
    finally:
        for worker in pool:
            worker.stop(kill=bool(worker.tasks))
