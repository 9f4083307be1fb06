"""Run CPU-heavy or blocking work off the event loop (README, "The event loop").

Under gevent every request, socket and worker is a greenlet on ONE loop: a 20 ms ticket render, a 50 ms
scrypt hash or a blocking write to /dev/usb/lp0 stops every screen for that long. `run_blocking` hands
such work to gevent's native thread pool (real OS threads; the calling greenlet waits, the loop does
not). Without gevent's monkey-patching (threading mode, the tests' in-process apps, the command line)
every caller is already its own OS thread, so the work simply runs where it is called.

Keep what runs here free of greenlet-only objects: it executes on a real thread, outside the hub.
"""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


def gevent_active() -> bool:
    """True when gevent has monkey-patched the standard library (the production server)."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a pinned dependency
        return False
    return monkey.is_module_patched("socket")


def run_blocking(function: Callable[..., T], *args, **kwargs) -> T:
    """`function(*args, **kwargs)` on a native thread when under gevent; its result or its exception."""
    if not gevent_active():
        return function(*args, **kwargs)
    import gevent
    return gevent.get_hub().threadpool.apply(function, args, kwargs)
