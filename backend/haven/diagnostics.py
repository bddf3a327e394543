"""`kill -USR1 <pid>` makes a running Haven write what it is doing to its log: every
thread's stack and every asyncio task's, for the day a server stops answering and nobody
can tell why. Nothing else changes; the server carries on."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import sys
import threading
import traceback

log = logging.getLogger(__name__)

DUMP_SIGNAL = signal.SIGUSR1


def install_state_dump() -> bool:
    """Dump on SIGUSR1 from now on; False where the loop cannot take signals (a thread
    other than the main one, or Windows)."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(DUMP_SIGNAL, lambda: log.warning("%s", state_dump()))
    except (NotImplementedError, RuntimeError, ValueError):
        return False
    return True


def remove_state_dump() -> None:
    try:
        asyncio.get_running_loop().remove_signal_handler(DUMP_SIGNAL)
    except (NotImplementedError, RuntimeError, ValueError):
        pass


def state_dump() -> str:
    out = io.StringIO()
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    frames = sys._current_frames()
    out.write(f"state dump: {len(frames)} thread(s)\n")
    for ident, frame in frames.items():
        out.write(f"--- thread {names.get(ident, '?')} ({ident})\n")
        out.write("".join(traceback.format_stack(frame)))
    tasks = asyncio.all_tasks()
    out.write(f"--- {len(tasks)} asyncio task(s)\n")
    for task in sorted(tasks, key=lambda task: task.get_name()):
        out.write(f"task {task.get_name()}: {task.get_coro()!r}\n")
        task.print_stack(limit=30, file=out)
    return out.getvalue()
