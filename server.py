"""Xếp Hàng's command line: run the server, add users and devices.

    python server.py [--config FILE] [--db PATH] [--host H] [--port P]          run the centre
                     [--public-host H --public-port P]     + the lobby Wi-Fi's side (public_side.py)
    python server.py --config FILE --db PATH add-user NAME --role clerk|admin --password PW
    python server.py --config FILE --db PATH add-device kiosk|counter|display ID [--token T]
    python server.py --config FILE --db PATH seed-demo                            the demo's logins

Production serving: one process, gevent's WSGI server (pywsgi) with WebSocket through simple-websocket.
One process because Socket.IO rooms live in memory (several workers would need a message queue and
sticky sessions) and SQLite serialises writes anyway; `python -m bench issue` and `fanout` measured
gevent against threading (README, "Benchmarks"). Only the standard library is imported at the top:
gevent must patch before Flask and threading are imported.
"""

from __future__ import annotations

import argparse
import sys

DEMO_USERS = [("admin", "admin", "admin123"), ("lan", "clerk", "lan123"), ("minh", "clerk", "minh123"),
              ("hoa", "clerk", "hoa123")]


def demo_devices(settings) -> list[tuple[str, str, str]]:
    """The demo's device tokens (documented in README.md; never use these in a real centre)."""
    devices = [("kiosk", k, f"demo-{k}") for k in settings.kiosks]
    devices += [("counter", c, f"demo-counter-{c}") for c in settings.counters]
    devices += [("display", d, f"demo-{d}") for d in settings.displays]
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
    parser.add_argument("--async-mode", choices=("gevent", "threading"), default="gevent",
                        help="gevent (production, default) or threading (Werkzeug; debugging only)")
    commands = parser.add_subparsers(dest="command")
    user = commands.add_parser("add-user", help="create a clerk or admin (or reset a password)")
    user.add_argument("name")
    user.add_argument("--role", choices=("clerk", "admin"), required=True)
    user.add_argument("--password", required=True)
    device = commands.add_parser("add-device", help="register a device; prints its token on the last line")
    device.add_argument("kind", choices=("kiosk", "counter", "display"))
    device.add_argument("id")
    device.add_argument("--token", help="use this token instead of a random one (at least 8 characters)")
    commands.add_parser("seed-demo", help="create the demo's users and device tokens (README.md)")
    return parser.parse_args(argv)


def manage(args: argparse.Namespace) -> int:
    """add-user, add-device, seed-demo: no server needed (safe while one runs: SQLite WAL)."""
    from core.settings import ConfigError, load_settings
    from store import Store, access

    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"config error: {error}", file=sys.stderr)
        return 2
    store = Store(args.db)
    if args.command == "add-user":
        access.add_user(store, args.name, args.role, args.password)
        print(f"user {args.name} ({args.role}) saved")
    elif args.command == "add-device":
        known = {"kiosk": settings.kiosks, "counter": settings.counters, "display": settings.displays}[args.kind]
        if args.id not in known:
            print(f"error: {args.kind} {args.id!r} is not in {args.config} (known: {', '.join(known)})",
                  file=sys.stderr)
            return 2
        print(f"{args.kind} {args.id} registered; its token:")
        print(access.add_device(store, args.kind, args.id, args.token))
    elif args.command == "seed-demo":
        for name, role, password in DEMO_USERS:
            access.add_user(store, name, role, password)
        for kind, device_id, token in demo_devices(settings):
            access.add_device(store, kind, device_id, token)
        print(f"demo users and device tokens saved in {args.db}")
    store.close()
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
    app = create_app(settings, args.db, async_mode=args.async_mode)
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
    return manage(args) if args.command else run(args)


if __name__ == "__main__":
    sys.exit(main())
