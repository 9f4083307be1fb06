"""Schema migrations, applied in order; PRAGMA user_version records how far a database has come.

Add a migration by appending to MIGRATIONS; never edit one that has shipped, because centres'
databases have already run it. Each migration runs inside the same transaction as the version bump.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[tuple[str, str]] = [
    ("tickets and the append-only event log", """
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,          -- unguessable, for the public status page
            day TEXT NOT NULL,                   -- local date (centre's timezone) the number belongs to
            issued_service TEXT NOT NULL,        -- the service whose sequence the number came from
            sequence_number INTEGER NOT NULL,
            number TEXT NOT NULL,                -- as printed and announced: A001, 1023
            service TEXT NOT NULL,               -- where the ticket waits now (changes on transfer)
            priority TEXT,                       -- priority group id, or NULL
            status TEXT NOT NULL,
            counter TEXT,                        -- counter that called it (current or last)
            target_counter TEXT,                 -- set when transferred straight to a counter
            kiosk TEXT,
            issued_at TEXT NOT NULL,             -- UTC ISO-8601
            arrived_at TEXT NOT NULL,            -- ordering key; kept on transfer unless policy says no
            called_at TEXT, started_at TEXT, finished_at TEXT,
            recalls INTEGER NOT NULL DEFAULT 0,
            UNIQUE (day, issued_service, sequence_number)  -- the last line of defence against duplicates
        );
        CREATE INDEX tickets_callable ON tickets (status, service, arrived_at);
        CREATE INDEX tickets_day ON tickets (day, status);
        CREATE INDEX tickets_finished ON tickets (service, finished_at);
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,             -- max + 1, never reused: the realtime feed's sequence
            at TEXT NOT NULL,
            actor TEXT NOT NULL,                 -- kiosk:kiosk-1, clerk:lan, counter:5, scanner:5, system
            ticket_id INTEGER REFERENCES tickets (id),
            kind TEXT NOT NULL,
            counter TEXT,
            service TEXT,
            details TEXT NOT NULL DEFAULT '{}'   -- JSON
        );
        CREATE INDEX events_ticket ON events (ticket_id);
        CREATE INDEX events_kind ON events (kind, seq);
        -- Append-only: the audit trail must not be rewritten, even by mistake.
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    """),
    ("counter state: current ticket, pause, priority streak", """
        CREATE TABLE counter_state (
            counter TEXT PRIMARY KEY,
            current_ticket INTEGER REFERENCES tickets (id),
            paused INTEGER NOT NULL DEFAULT 0,
            priority_streak INTEGER NOT NULL DEFAULT 0,
            clerk TEXT                            -- user signed in at this counter, one at a time
        );
    """),
    ("people and devices", """
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('clerk', 'admin')),
            password_hash TEXT NOT NULL,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE devices (
            token_hash TEXT PRIMARY KEY,          -- sha256 of the bearer token; the token itself is not kept
            kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'counter', 'display')),
            device_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX devices_by_id ON devices (kind, device_id);
    """),
    ("server secrets kept out of the repository", """
        CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    """),
    ("scrolling notices of the lobby displays", """
        CREATE TABLE display_notices (
            display TEXT PRIMARY KEY,             -- a display id, or '*' for every display
            text TEXT NOT NULL,
            updated_at TEXT NOT NULL              -- UTC ISO-8601; who changed it is in the event log
        );
    """),
    ("a covering index for people-ahead counts", """
        -- count_ahead runs on every ticket issued; with hundreds waiting it read each table row for its
        -- priority. This index answers it from the index alone (bench issue: 19% of server time before).
        CREATE INDEX tickets_queue_order ON tickets (day, status, service, arrived_at, id, priority);
    """),
    ("accounts with a life cycle: manager role, session version, disabled", """
        -- Rebuilt (SQLite cannot change a CHECK): the manager role (quản lý trung tâm) joins clerk and admin;
        -- session_version is in every session cookie and bumped to end all of a user's sessions at once
        -- (sign-out, password change, role change, disable: README "Security"). Sign-in failures are no
        -- longer counted here: they are throttled per source address in memory (api/signin_guard.py), so
        -- strangers on the LAN cannot lock a clerk out of their own account.
        CREATE TABLE users_new (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('clerk', 'manager', 'admin')),
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            session_version INTEGER NOT NULL DEFAULT 1,
            password_changed_at TEXT,
            disabled_at TEXT                      -- NULL = may sign in; never deleted (the log names users)
        );
        INSERT INTO users_new (name, role, password_hash, created_at)
            SELECT name, role, password_hash, created_at FROM users;
        DROP TABLE users;
        ALTER TABLE users_new RENAME TO users;
    """),
    ("claims that expire, kiosk retries, returning no-shows", """
        -- A claim's last activity (the last action at the counter, or the sign-in): claims idle longer
        -- than policy.counter_idle_minutes, or last used on an earlier day, are freed. Claims that exist
        -- when this runs start counting from now, so an upgrade mid-day signs nobody out at once.
        ALTER TABLE counter_state ADD COLUMN last_activity TEXT;
        UPDATE counter_state SET last_activity = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
            WHERE clerk IS NOT NULL;
        -- When a no-show came back: it is not called before anyone who was already waiting then.
        ALTER TABLE tickets ADD COLUMN returned_at TEXT;
        -- POST /api/tickets with an Idempotency-Key: a kiosk's retry gets the ticket it already has.
        -- Written in the same transaction as the ticket; the rows of earlier days go at the rollover.
        CREATE TABLE idempotency_keys (
            scope TEXT NOT NULL,                  -- who sent it: kiosk:kiosk-1, admin:…
            day TEXT NOT NULL,                    -- local day; a key is good for that day only
            key TEXT NOT NULL,
            request TEXT NOT NULL,                -- the request it answered (canonical JSON)
            ticket_id INTEGER NOT NULL REFERENCES tickets (id),
            PRIMARY KEY (scope, day, key)
        );
    """),
    ("when each counter last acted (core/staffing.py: is it open)", """
        -- The last action at a counter by anyone (clerk, counter device, scanner), kept apart from the
        -- clerk's claim: a counter run by its device token alone is open while it acts (README, "Who is
        -- at a counter").
        CREATE TABLE IF NOT EXISTS counter_seen (
            counter TEXT PRIMARY KEY,
            seen_at TEXT NOT NULL                 -- UTC ISO-8601
        );
    """),
    ("the estimate printed on each ticket, and priority calls that went ahead of a waiting citizen", """
        -- {"ahead", "minutes", "low", "high"} as computed when the number was taken (also in the issued
        -- event): what the paper says, compared with the real wait every day (core/estimate_accuracy.py).
        ALTER TABLE tickets ADD COLUMN estimate TEXT;
        -- How many priority calls in a row went ahead of this normal ticket while it was first in line,
        -- at any counter: policy.priority_streak bounds it per waiting citizen (README "Fairness").
        ALTER TABLE tickets ADD COLUMN priority_jumps INTEGER NOT NULL DEFAULT 0;
    """),
    ("the console's overlay on config.toml: thủ tục, lĩnh vực, counters, hours, holidays, policy", """
        -- What the admin console edits lives here and wins over config.toml (README "Where the truth
        -- lives"); whole records per entry, so an edited entry no longer depends on the file.
        CREATE TABLE IF NOT EXISTS catalogue_entries (
            kind TEXT NOT NULL,                   -- group | service | counter | weekly | exception | closure | policy
            key TEXT NOT NULL,                    -- its id, code, local date, 'YYYY-MM-DD/CODE', …
            data TEXT NOT NULL,                   -- JSON record
            updated_at TEXT NOT NULL,             -- UTC ISO-8601; who changed it is in the event log
            PRIMARY KEY (kind, key)
        );
        -- Moves with every overlay change: another process re-reads the overlay only when it moved.
        CREATE TABLE IF NOT EXISTS catalogue_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
    """),
    ("rating devices; one satisfaction rating per ticket", """
        -- Rebuilt (SQLite cannot change a CHECK) to admit the device kind 'rating': the tablet beside a
        -- counter that asks citizens how they were served (README "Satisfaction ratings").
        CREATE TABLE devices_new (
            token_hash TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'counter', 'display', 'rating')),
            device_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        INSERT INTO devices_new (token_hash, kind, device_id, created_at, revoked_at)
            SELECT token_hash, kind, device_id, created_at, revoked_at FROM devices;
        DROP TABLE devices;
        ALTER TABLE devices_new RENAME TO devices;
        CREATE INDEX IF NOT EXISTS devices_by_id ON devices (kind, device_id);
        -- The rating itself (level, reasons) lives only in its `rated` event, the one source reports read;
        -- this row is the last line of defence for "one rating per ticket", as UNIQUE is for numbers:
        -- the counter's screen, its keypad and the phone may all try at once.
        CREATE TABLE IF NOT EXISTS ratings (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
            rated_at TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('device', 'phone'))
        );
    """),
    ("reports: one row of facts per ticket, folded from the event log", """
        -- A summary the reports sum instead of folding a year of events (README "Reports"). Written by
        -- store/report_facts.py catching up with the log (report_progress.seq), never by the queue's own
        -- writes, so issuing a ticket costs nothing more. Rebuildable at any time from the events.
        CREATE TABLE IF NOT EXISTS report_facts (
            ticket_id INTEGER PRIMARY KEY,
            number TEXT, day TEXT NOT NULL, weekday INTEGER NOT NULL, hour INTEGER NOT NULL,
            service TEXT NOT NULL, priority TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL,
            status TEXT NOT NULL, counter TEXT, clerk TEXT,
            transfers INTEGER NOT NULL DEFAULT 0, no_shows INTEGER NOT NULL DEFAULT 0,
            issued_at TEXT NOT NULL, called_at TEXT, started_at TEXT, finished_at TEXT,
            wait REAL, walk REAL, service_time REAL,      -- seconds; wait counts opening hours only
            rating INTEGER, rating_levels INTEGER, rating_channel TEXT
        );
        CREATE INDEX IF NOT EXISTS report_facts_day ON report_facts (day);
        CREATE TABLE IF NOT EXISTS report_progress (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL                          -- every event up to here is in report_facts
        );
    """),
    ("dossiers read from the một cửa điện tử system, and each import of them", """
        -- A copy of what the province's system says (README "Hồ sơ (dossiers)"); we never own a dossier.
        -- Only a masked name is kept; phone and e-mail only for the "kết quả đã có" notification.
        CREATE TABLE IF NOT EXISTS dossiers (
            code TEXT PRIMARY KEY,
            procedure TEXT NOT NULL, grp TEXT NOT NULL,
            received TEXT NOT NULL, due TEXT NOT NULL,    -- ISO dates
            status TEXT NOT NULL CHECK (status IN ('processing', 'supplement', 'ready', 'returned', 'overdue')),
            step TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', masked_name TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '', resolved TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,                         -- import | http
            first_seen TEXT NOT NULL, updated_at TEXT NOT NULL,   -- UTC ISO-8601
            ready_at TEXT                                 -- UTC: when we first saw it "đã có kết quả"
        );
        CREATE INDEX IF NOT EXISTS dossiers_ready ON dossiers (ready_at);
        CREATE TABLE IF NOT EXISTS dossier_imports (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL, file TEXT NOT NULL,
            rows INTEGER NOT NULL, added INTEGER NOT NULL, changed INTEGER NOT NULL, unchanged INTEGER NOT NULL,
            errors TEXT NOT NULL                          -- JSON [[line, message], …]
        );
    """),
    ("notifications: the outbox, phone numbers of the day, webhook cursors", """
        -- One row per SMS or e-mail to send (notify/outbox.py sends them off the request path). A row is
        -- pending until sent, or dead (a dead letter: server.py list-dead-letters) after its last attempt.
        CREATE TABLE IF NOT EXISTS notify_outbox (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
            recipient TEXT NOT NULL,                      -- 0912345678 or an address; masked after its day
            subject TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL,
            kind TEXT NOT NULL,                           -- ahead, called, result_ready
            ref TEXT NOT NULL UNIQUE,                     -- what it is about, once ("called:12:345")
            state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            day TEXT NOT NULL,                            -- local date it was queued
            created_at TEXT NOT NULL, next_at TEXT NOT NULL,
            expires_at TEXT,                              -- not sent by then: dead (a late "còn 3 người" is useless)
            sent_at TEXT, last_error TEXT
        );
        CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox (state, channel, next_at);
        CREATE INDEX IF NOT EXISTS notify_outbox_recipient ON notify_outbox (recipient, sent_at);
        -- The phone number a citizen left on the status page: for that ticket, for that day only.
        CREATE TABLE IF NOT EXISTS notify_phones (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
            phone TEXT NOT NULL,
            day TEXT NOT NULL,
            created_at TEXT NOT NULL,
            changes INTEGER NOT NULL DEFAULT 1,
            ahead_sent INTEGER NOT NULL DEFAULT 0
        );
        -- How far each reader of the event log has come: "queue" (the queue's messages) and
        -- "webhook:<url>" (what that receiver has acknowledged, in seq order).
        CREATE TABLE IF NOT EXISTS notify_cursors (
            name TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,          -- failed deliveries in a row (webhooks)
            last_error TEXT, updated_at TEXT,
            mark TEXT                                     -- a position that is not a seq: the dossiers'
                                                          -- ready_at handled last ("dossiers_ready")
        );
    """),
]


def current_version(connection) -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


def migrate(connection, migrations=None) -> int:
    """Bring the database up to the newest schema in place; returns the version reached."""
    migrations = MIGRATIONS if migrations is None else migrations
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = current_version(connection)
        if version > len(migrations):
            raise RuntimeError(f"database schema {version} is newer than this program ({len(migrations)})")
        for number, (_, sql) in enumerate(migrations[version:], start=version + 1):
            for statement in _statements(sql):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return current_version(connection)


def _statements(sql: str):
    """Split a migration into statements (executescript would COMMIT our transaction)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer[:60]!r}")
