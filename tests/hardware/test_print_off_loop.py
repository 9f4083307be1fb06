"""Under gevent the print path must leave the event loop free (issue 8 item 7).

Each case runs in a fresh interpreter with gevent's monkey-patching, as server.py runs. A ticker
greenlet stands for every other screen: it must keep ticking while a render (in the render process,
hardware/render_process.py, held by SIGSTOP) or a device write is held, and the job must still end
with exactly one result. Ordering, not wall-clock thresholds.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]

PRELUDE = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import fcntl, os, sys, tempfile, gevent
    from gevent.event import Event
    import hardware.print_worker as print_worker
    from hardware.printer import open_printer, FakeTicketPrinter
    from tests.hardware.samples import make_ticket
    os_lock = monkey.get_original("_thread", "allocate_lock")  # blocks the OS thread, never yields
    results, ticks = [], []
    done = Event()

    def on_result(*result):
        results.append(result)
        done.set()

    def ticker():
        while True:
            ticks.append(1)
            gevent.sleep(0.005)

    def loop_ticks_while(condition, count=20, timeout=10):
        # The loop is free when the ticker advances `count` times while `condition()` holds.
        start = len(ticks)
        with gevent.Timeout(timeout, False):
            while len(ticks) - start < count:
                assert condition(), "the held job ended before the loop could be observed"
                gevent.sleep(0.005)
        return len(ticks) - start >= count

    gevent.spawn(ticker)
""")

HELD_RENDER = PRELUDE + textwrap.dedent("""
    import signal
    from hardware.render_process import RENDERER
    worker = print_worker.PrintWorker(lambda: FakeTicketPrinter(), on_result, status_interval=None)
    worker.submit("warm-up", make_ticket())  # starts the render process
    done.wait(30)
    done.clear()
    child = RENDERER._child.pid
    os.kill(child, signal.SIGSTOP)  # a render that takes as long as the test wants
    worker.submit("job-1", make_ticket())
    free = loop_ticks_while(lambda: len(results) < 2)
    os.kill(child, signal.SIGCONT)
    done.wait(10)
    print("loop free during render" if free else "loop frozen during render",
          results[1][1] if len(results) > 1 else None)
""")

RENDER_PROCESS_KILLED = PRELUDE + textwrap.dedent("""
    import signal
    from hardware.render_process import RENDERER
    printer = FakeTicketPrinter()
    worker = print_worker.PrintWorker(lambda: printer, on_result, status_interval=None)
    worker.submit("job-1", make_ticket())
    done.wait(30)
    done.clear()
    first = RENDERER._child.pid
    os.kill(first, signal.SIGKILL)
    worker.submit("job-2", make_ticket())
    done.wait(30)
    restarted = RENDERER._child is not None and RENDERER._child.pid != first
    print([r[1] for r in results], "restarted" if restarted else "not-restarted", len(printer.jobs),
          printer.jobs[0] == printer.jobs[1] if len(printer.jobs) == 2 else None)
""")

FIFO_WITHOUT_READER = PRELUDE + textwrap.dedent("""
    fifo = os.path.join(tempfile.mkdtemp(), "lp0")
    os.mkfifo(fifo)
    worker = print_worker.PrintWorker(lambda: open_printer("file://" + fifo), on_result, status_interval=None)
    worker.submit("job-1", make_ticket())
    done.wait(10)
    print("result", results[0][1], results[0][2].value if results else None)
""")

FIFO_NOT_READ = PRELUDE + textwrap.dedent("""
    fifo = os.path.join(tempfile.mkdtemp(), "lp0")
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a printer that takes 4 KB, then stops
    fcntl.fcntl(reader, 1031, 4096)  # F_SETPIPE_SZ
    worker = print_worker.PrintWorker(lambda: open_printer("file://" + fifo), on_result, status_interval=None)
    worker.submit("job-1", make_ticket())
    free = loop_ticks_while(lambda: not results)
    received = b""
    with gevent.Timeout(10, False):
        while not results:
            try:
                chunk = os.read(reader, 65536)
            except BlockingIOError:
                chunk = b""
            received += chunk
            if not chunk:  # nothing yet, or the writer has closed: let the worker report
                gevent.sleep(0.005)
    print("loop free during write" if free else "loop frozen during write",
          results[0][1] if results else None, len(received))
""")


def run_script(script: str) -> str:
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_a_long_render_does_not_hold_the_loop():
    assert run_script(HELD_RENDER).split() == ["loop", "free", "during", "render", "True"]


def test_a_killed_render_process_is_started_again_and_the_ticket_prints():
    # Both jobs print the same ticket (same bytes), the second through a new render process.
    assert run_script(RENDER_PROCESS_KILLED).split() == ["[True,", "True]", "restarted", "2", "True"]


def test_a_fifo_nobody_reads_fails_the_job_instead_of_freezing():
    assert run_script(FIFO_WITHOUT_READER).split() == ["result", "False", "unreachable"]


def test_a_printer_that_stops_taking_bytes_does_not_hold_the_loop():
    words = run_script(FIFO_NOT_READ).split()
    assert words[:5] == ["loop", "free", "during", "write", "True"], words
    assert int(words[5]) > 50_000  # the whole ticket arrived once the printer read again
