"""Xếp Hàng's command line: run the server, add users and devices.

    python server.py [--config FILE] [--db PATH] [--host H] [--port P]          run the centre
                     [--public-host H --public-port P]     + the lobby Wi-Fi's side (public_side.py)
    python server.py --config FILE --db PATH add-user NAME --role clerk|manager|admin --password PW
    python server.py --config FILE --db PATH set-role NAME ROLE | disable-user NAME | enable-user NAME
    python server.py --config FILE --db PATH sign-out-user NAME | list-users
    python server.py --config FILE --db PATH add-device kiosk|counter|display|rating ID [--token T] [--replace]
    python server.py --config FILE --db PATH revoke-device KIND ID | list-devices
    python server.py --config FILE --db PATH seed-demo                            the demo's logins
    python server.py --db PATH backup FILE [--overwrite]       a verified copy, safe while the server runs
    python server.py --config FILE --db PATH free-counter ID                      end a clerk's claim
    python server.py --config FILE --db PATH seed-history --days N [--per-day M]  past days for the demo
    python server.py --config FILE --db PATH list-dead-letters | retry-dead-letters   notifications' outbox
    python server.py --config FILE --db PATH import-dossiers FILE.csv|FILE.xlsx    dossiers ([dossiers])

Production serving: one process, gevent's WSGI server (pywsgi) with WebSocket through simple-websocket.
One process because Socket.IO rooms live in memory (several workers would need a message queue and
sticky sessions) and SQLite serialises writes anyway; `python -m bench issue` and `fanout` measured
gevent against threading (README, "Benchmarks"). Only the standard library is imported at the top:
gevent must patch before Flask and threading are imported.
"""

from __future__ import annotations

import argparse
import sys

ROLES = ("clerk", "manager", "admin")          # store/access.py ROLES (not imported: see above)
DEVICE_KINDS = ("kiosk", "counter", "display", "rating")  # store/access.py DEVICE_KINDS

# Passwords have at least access.MIN_PASSWORD_LENGTH characters, like every other.
DEMO_USERS = [("admin", "admin", "admin123"), ("lan", "clerk", "lan12345"), ("minh", "clerk", "minh1234"),
              ("hoa", "clerk", "hoa12345"), ("quanly", "manager", "quanly123")]


def demo_devices(settings) -> list[tuple[str, str, str]]:
    """The demo's device tokens (documented in README.md; never use these in a real centre)."""
    devices = [("kiosk", k, f"demo-{k}") for k in settings.kiosks]
    devices += [("counter", c, f"demo-counter-{c}") for c in settings.counters]
    devices += [("display", d, f"demo-{d}") for d in settings.displays]
    devices += [("rating", c, f"demo-rating-{c}") for c in settings.counters]
    return devices


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="server.py", description="Xếp Hàng queue server")
    parser.add_argument("--config", default="config.toml", help="centre configuration (default: config.toml)")
    parser.add_argument("--db", default="data/queue.db", help="SQLite database (default: data/queue.db)")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: 0.0.0.0)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    parser.add_argument("--public-host", default="0.0.0.0",
                        help="address of the public side, on the lobby Wi-Fi (default: 0.0.0.0)")
    parser.add_argument("--public-port", type=int, default=None,
                        help="also serve the phones' status pages, and only them, on this port (README, Security)")
    parser.add_argument("--clock-offset-file", default=None,
                        help="rehearsals and tests only: the server's clock is the system clock plus the seconds "
                             "written in this file (core/clock.py OffsetFileClock)")
    parser.add_argument("--async-mode", choices=("gevent", "threading"), default="gevent",
                        help="gevent (production, default) or threading (Werkzeug; debugging only)")
    commands = parser.add_subparsers(dest="command")
    user = commands.add_parser("add-user", help="create a user, or set an existing one's role and password")
    user.add_argument("name")
    user.add_argument("--role", choices=ROLES, required=True)
    user.add_argument("--password", required=True, help="at least 8 characters")
    role = commands.add_parser("set-role", help="change a user's role (ends their sessions)")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    for command, text in (("disable-user", "refuse a user's sign-in and end their sessions at once"),
                          ("enable-user", "let a disabled user sign in again"),
                          ("sign-out-user", "end every session of a user (all browsers)")):
        commands.add_parser(command, help=text).add_argument("name")
    commands.add_parser("list-users", help="every account: role, created, disabled")
    device = commands.add_parser("add-device", help="register a device; prints its token on the last line")
    device.add_argument("kind", choices=DEVICE_KINDS)
    device.add_argument("id")
    device.add_argument("--token", help="use this token instead of a random one (at least 8 characters)")
    device.add_argument("--replace", action="store_true", help="revoke the device's old token(s) first")
    revoke = commands.add_parser("revoke-device", help="revoke every token of a device (refused at once)")
    revoke.add_argument("kind", choices=DEVICE_KINDS)
    revoke.add_argument("id")
    commands.add_parser("list-devices", help="every device: live tokens, paired, last revoked")
    commands.add_parser("seed-demo", help="create the demo's users and device tokens (README.md)")
    copy = commands.add_parser("backup", help="copy the database to FILE (safe while the server runs)")
    copy.add_argument("file")
    copy.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    commands.add_parser("free-counter", help="end the clerk's claim on a counter").add_argument("id")
    history = commands.add_parser("seed-history", help="play N past working days through the queue engine "
                                  "(an empty database only: the demo's and the benchmark's history)")
    history.add_argument("--days", type=int, required=True, help="working days before today (1–1000)")
    history.add_argument("--per-day", type=int, default=300, help="citizens on a full day (default 300)")
    history.add_argument("--seed", type=int, default=2026, help="random seed (the same seed, the same history)")
    history.add_argument("--if-empty", action="store_true",
                         help="do nothing (exit 0) when the database already has tickets (scripts/demo.sh)")
    history.add_argument("--today", action="store_true",
                         help="also play today up to now, by the counters' device tokens (a demo that opens "
                              "on a lobby at work)")
    dead = commands.add_parser("list-dead-letters", help="messages given up on, the outbox's counts and each "
                               "webhook receiver's progress (README \"Notifications\")")
    dead.add_argument("--limit", type=int, default=200, help="newest first, at most this many (default 200)")
    commands.add_parser("retry-dead-letters", help="give today's dead letters one more round of attempts")
    dossiers = commands.add_parser("import-dossiers", help="import a CSV or XLSX export of dossiers ([dossiers]); "
                                   "bad rows are listed with their line numbers, the rest imported")
    dossiers.add_argument("file")
    return parser.parse_args(argv)


def import_dossiers(args: argparse.Namespace, settings, store) -> int:
    """import-dossiers FILE: exit 0 when every row imported, 1 when some rows were refused, 2 when none could be."""
    from dossiers.importer import ImportFailed, import_file

    try:
        report = import_file(store, args.file, settings.dossiers)
    except (ImportFailed, OSError) as error:
        print(f"import refused: {error}", file=sys.stderr)
        return 2
    for line, message in report["errors"]:
        print(f"{report['file']}: dòng {line}: {message}", file=sys.stderr)
    print(f"{report['file']}: {report['rows']} rows, {report['added']} added, {report['changed']} changed, "
          f"{report['unchanged']} unchanged, {len(report['errors'])} refused")
    return 1 if report["errors"] else 0


def backup(args: argparse.Namespace) -> int:
    """backup FILE: SQLite's online backup, verified by opening the copy (store/backup.py)."""
    from store.backup import BackupError
    from store.backup import backup as copy_database

    try:
        report = copy_database(args.db, args.file, overwrite=args.overwrite)
    except BackupError as error:
        print(f"backup refused: {error}", file=sys.stderr)
        return 2
    print(f"backup {report.path}: integrity ok, user_version {report.user_version}, {report.events} events "
          f"(seq 1..{report.events}), {report.tickets} tickets, {report.size_bytes} bytes in {report.seconds} s")
    return 0


def manage(args: argparse.Namespace) -> int:
    """The account and device commands: no server needed (safe while one runs: SQLite WAL, and the
    running server notices a revoked token or ended session at once; README "Security")."""
    from core.settings import ConfigError, load_settings
    from store import Store, access

    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"config error: {error}", file=sys.stderr)
        return 2
    store = Store(args.db)
    try:
        return _manage(args, settings, store, access)
    except access.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()


COMMAND_LINE = "admin:command-line"  # who the change log names for a change made here


def _change(kind: str, **details) -> dict:
    """The admin_* event of a command-line change (the same kinds the console logs; README "Admin console")."""
    from datetime import datetime, timezone
    return {"at": datetime.now(timezone.utc), "actor": COMMAND_LINE, "kind": kind, "details": details}


def _manage(args, settings, store, access) -> int:
    command = args.command
    if command == "add-user":
        existing = access.user(store, args.name)
        access.add_user(store, args.name, args.role, args.password, event=_change(
            "admin_user_added" if existing is None else "admin_user_replaced", user=args.name, role=args.role))
        print(f"user {args.name} ({args.role}) saved; any earlier session of {args.name} has ended")
    elif command == "set-role":
        existing = access.user(store, args.name)
        access.set_role(store, args.name, args.role, event=_change(
            "admin_user_role_changed", user=args.name, previous_role=existing and existing["role"], role=args.role))
        print(f"user {args.name} is now {args.role}; their sessions have ended")
    elif command in ("disable-user", "enable-user"):
        disabling = command == "disable-user"
        access.set_disabled(store, args.name, disabling,
                            event=_change("admin_user_disabled" if disabling else "admin_user_enabled", user=args.name))
        print(f"user {args.name} {'disabled; their sessions have ended' if command == 'disable-user' else 'enabled'}")
    elif command == "sign-out-user":
        access.end_sessions(store, args.name, event=_change("admin_user_signed_out", user=args.name))
        print(f"every session of {args.name} has ended")
    elif command == "list-users":
        for row in access.list_users(store):
            state = f"disabled {row['disabled_at']}" if row["disabled_at"] else "active"
            print(f"{row['name']}\t{row['role']}\t{state}\tcreated {row['created_at']}")
    elif command in ("add-device", "revoke-device"):
        # A rating device belongs to one counter: its id is that counter's id (/rate/<counter>).
        known = {"kiosk": settings.kiosks, "counter": settings.counters, "display": settings.displays,
                 "rating": settings.counters}[args.kind]
        if command == "add-device" and args.id not in known:
            print(f"error: {args.kind} {args.id!r} is not in {args.config} (known: {', '.join(known)})",
                  file=sys.stderr)
            return 2
        if command == "revoke-device":
            count = access.revoke_device(store, args.kind, args.id,
                                         event=_change("admin_device_revoked", device_kind=args.kind, device=args.id))
            print(f"{args.kind} {args.id}: {count} token(s) revoked")
            return 0 if count else 1
        paired = any(row["live_tokens"] for row in access.list_devices(store)
                     if (row["kind"], row["device_id"]) == (args.kind, args.id))
        kind = "admin_device_repaired" if paired else "admin_device_paired"
        token = access.add_device(store, args.kind, args.id, args.token, replace=args.replace,
                                  event=_change(kind, device_kind=args.kind, device=args.id))
        print(f"{args.kind} {args.id} registered{' (old token revoked)' if args.replace else ''}; its token:")
        print(token)
    elif command == "list-devices":
        for row in access.list_devices(store):
            state = "paired" if row["live_tokens"] else "revoked"
            print(f"{row['kind']}\t{row['device_id']}\t{state}\tpaired {row['paired_at']}")
    elif command == "free-counter":
        from core.engine import QueueEngine
        from core.errors import QueueError
        try:
            clerk = QueueEngine(settings, store).free_counter(args.id, actor="admin:command-line")
        except QueueError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
        print(f"counter {args.id}: " + (f"freed (was {clerk})" if clerk else "no clerk was signed in"))
    elif command == "seed-history":
        return seed_history(args, settings, store)
    elif command in ("list-dead-letters", "retry-dead-letters"):
        from notify import cli
        return cli.list_dead_letters(store, args.limit) if command == "list-dead-letters" else cli.retry_dead_letters(store)
    elif command == "import-dossiers":
        return import_dossiers(args, settings, store)
    elif command == "seed-demo":  # the demo's own logins: not a change anyone made, so not in the change log
        for name, role, password in DEMO_USERS:
            if access.user(store, name) is None:  # demo.sh runs this at every start: keep sessions alive
                access.add_user(store, name, role, password)
        for kind, device_id, token in demo_devices(settings):
            access.add_device(store, kind, device_id, token, replace=True)
        print(f"demo users and device tokens saved in {args.db}")
    return 0


def seed_history(args: argparse.Namespace, settings, store) -> int:
    """seed-history: past days through the engine, then the reports' summary caught up (core/history.py)."""
    import time
    from datetime import datetime

    from core import reports
    from core.history import seed_history as play

    if not 1 <= args.days <= 1000 or not 1 <= args.per_day <= 5000:
        print("error: --days must be 1–1000 and --per-day 1–5000", file=sys.stderr)
        return 2
    with store.read() as tx:
        if tx.last_seq() and tx.connection.execute("SELECT 1 FROM tickets LIMIT 1").fetchone():
            if args.if_empty:
                print(f"{args.db} already has tickets: no history seeded")
                return 0
            print(f"error: {args.db} already has tickets; seed-history writes only into a database without "
                  "any (it would put old days after new ones in the log)", file=sys.stderr)
            return 2
    began = time.monotonic()
    # The seeded past needs no power-cut safety while it is being made: a crash means seeding again.
    store.connection.execute("PRAGMA synchronous = OFF")
    today = datetime.now(settings.centre.timezone).date()
    now = datetime.now(settings.centre.timezone)
    seeded = play(settings, store, days=args.days, per_day=args.per_day, today=today, seed=args.seed,
                  until=now if args.today else None,
                  progress=lambda done, total, tickets: print(f"  day {done}/{total}: {tickets} tickets",
                                                              flush=True) if done % 25 == 0 else None)
    store.connection.execute("PRAGMA synchronous = FULL")
    folded = reports.catch_up(args.db, settings)
    if args.today:
        print(f"today until {now:%H:%M}: {seeded.today} tickets (counters played by their device tokens)")
    print(f"seeded {seeded.days} working days ({seeded.first_day} … {seeded.last_day}), {seeded.tickets} tickets, "
          f"{folded} events summed for the reports, in {time.monotonic() - began:.1f} s")
    return 0


def run(args: argparse.Namespace) -> int:
    """Start the centre's server and serve until interrupted."""
    if args.async_mode == "gevent":
        from gevent import monkey
        monkey.patch_all()
    import logging

    from app import create_app
    from core.settings import ConfigError, load_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"config error: {error}", file=sys.stderr)
        return 2
    clock = None
    if args.clock_offset_file:
        from core.clock import OffsetFileClock
        clock = OffsetFileClock(args.clock_offset_file)
    app = create_app(settings, args.db, clock=clock, async_mode=args.async_mode)
    import dossiers
    dossiers.start_watcher(app, args.config)  # [dossiers] watch_folder: imports in a child process
    where = f"http://{args.host}:{args.port}"
    if args.async_mode == "gevent":
        from gevent import pywsgi

        # What Flask-SocketIO's run() does for gevent, minus its banner: we bind first, then say "ready",
        # so supervisors and tests know the port accepts connections.
        try:
            servers = [pywsgi.WSGIServer(listener(args.host, args.port), app, log=None)]
            if args.public_port is not None:
                servers.append(public_server(args, app, settings))
                where += f", public side on http://{args.public_host}:{args.public_port}"
        except OSError as error:
            print(f"error: cannot listen: {error}", file=sys.stderr)
            return 2
        for server in servers:
            server.start()
        print(f"ready: {settings.centre.name} on {where} (gevent)", flush=True)
        try:
            servers[0].serve_forever()
        except KeyboardInterrupt:
            for server in servers:
                server.stop(timeout=5)
    elif args.public_port is not None:
        print("error: --public-port needs --async-mode gevent", file=sys.stderr)
        return 2
    else:
        print(f"ready: {settings.centre.name} on {where} (threading, Werkzeug: not for production)", flush=True)
        app.extensions["xephang"].socketio.run(app, host=args.host, port=args.port, log_output=False,
                                               allow_unsafe_werkzeug=True)
    return 0


def public_server(args: argparse.Namespace, app, settings):
    """The second listener: the same app behind public_side.PublicSide (status pages only)."""
    import logging
    from urllib.parse import urlsplit

    from gevent import pywsgi

    from public_side import PublicSide

    link = urlsplit(settings.centre.public_url)
    if (link.port or {"http": 80, "https": 443}[link.scheme]) != args.public_port:
        # A proxy or NAT in front may map the port, so this is a warning, not an error.
        logging.getLogger("server").warning("centre.public_url %s is not on --public-port %s: tickets' QR links "
                                            "may not reach the public side", settings.centre.public_url,
                                            args.public_port)
    return pywsgi.WSGIServer(listener(args.public_host, args.public_port), PublicSide(app), log=None)


def listener(host: str, port: int):
    """A listening socket with TCP_NODELAY, which Linux copies to every accepted connection.

    Without it pywsgi's separate header and body writes meet the client's delayed ACK (Nagle):
    measured here, every request took 44 ms instead of under 1 ms.
    """
    from gevent import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    if args.command == "backup":
        return backup(args)
    return manage(args) if args.command else run(args)


if __name__ == "__main__":
    sys.exit(main())
