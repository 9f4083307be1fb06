"""Reading config.toml key by key, so every error names the key's full path and what was expected.

`Table` wraps one TOML table; each typed getter records the key as read, and `finish()` refuses the keys
nobody read (a typo such as "max_recall" must not silently fall back to a default).
"""

from __future__ import annotations

import re
from datetime import time

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


class ConfigError(ValueError):
    """A config.toml problem, naming the key and what was expected."""


class Table:
    """One TOML table, read key by key; remembers its path for error messages."""

    def __init__(self, data: object, path: str):
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a table, got {type(data).__name__}")
        self.data, self.path, self.used = data, path, set()

    def _get(self, key, default, required):
        self.used.add(key)
        if key in self.data:
            return self.data[key]
        if required:
            raise ConfigError(f"{self._key(key)}: missing (required)")
        return default

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def text(self, key, default=None, *, required=True, pattern=None, allow_empty=False) -> str:
        value = self._get(key, default, required and default is None)
        if not isinstance(value, str) or (not value.strip() and not allow_empty):
            raise ConfigError(f"{self._key(key)}: expected a non-empty string, got {value!r}")
        if pattern is not None and not pattern.match(value):
            raise ConfigError(f"{self._key(key)}: {value!r} is not a valid identifier "
                              "(letters, digits, '-', '_', '.', at most 32)")
        return value

    def integer(self, key, default=None, *, minimum=0, maximum=None) -> int:
        value = self._get(key, default, default is None)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (
                maximum is not None and value > maximum):
            bound = f" between {minimum} and {maximum}" if maximum is not None else f" ≥ {minimum}"
            raise ConfigError(f"{self._key(key)}: expected an integer{bound}, got {value!r}")
        return value

    def number(self, key, default=None, *, minimum=0.0) -> float:
        value = self._get(key, default, default is None)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= minimum:
            raise ConfigError(f"{self._key(key)}: expected a number > {minimum}, got {value!r}")
        return float(value)

    def boolean(self, key, default=None) -> bool:
        value = self._get(key, default, default is None)
        if not isinstance(value, bool):
            raise ConfigError(f"{self._key(key)}: expected true or false, got {value!r}")
        return value

    def text_list(self, key, default=(), *, choices=None) -> tuple[str, ...]:
        value = self._get(key, list(default), False)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self._key(key)}: expected a list of strings, got {value!r}")
        for item in value:
            if choices is not None and item not in choices:
                raise ConfigError(f"{self._key(key)}: unknown {item!r} (known: {', '.join(choices)})")
        if len(set(value)) != len(value):
            raise ConfigError(f"{self._key(key)}: lists an entry twice")
        return tuple(value)

    def tables(self, key, *, required=True) -> list["Table"]:
        value = self._get(key, [], required)
        if not isinstance(value, list) or (required and not value):
            raise ConfigError(f"{self._key(key)}: expected at least one [[{key}]] table")
        return [Table(item, f"{self._key(key)}[{i}]") for i, item in enumerate(value)]

    def table(self, key, *, required=True) -> "Table":
        return Table(self._get(key, {}, required), self._key(key))

    def finish(self) -> None:
        """Refuse keys nobody read: they are typos or options this version does not know."""
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"{self._key(unknown[0])}: unknown key")


def unique(items, what: str, path: str, key_of=lambda item: item.id) -> dict:
    """Items by their id (or `key_of`), refusing one declared twice."""
    result = {}
    for item in items:
        key = key_of(item)
        if key in result:
            raise ConfigError(f"{path}: {what} {key!r} is declared twice")
        result[key] = item
    return result


def parse_time(text: str, path: str) -> time:
    try:
        hours, minutes = text.split(":")
        if hours == "24" and minutes == "00":
            return time.max
        return time(int(hours), int(minutes))
    except ValueError:
        raise ConfigError(f"{path}: expected HH:MM, got {text!r}") from None


def parse_sessions(texts: tuple[str, ...], path: str) -> list[tuple[time, time]]:
    """Opening or quiet sessions ["07:30-11:30", …] as sorted (start, end) pairs; start must be before end."""
    sessions = []
    for text in texts:
        start, sep, end = text.partition("-")
        start_time = parse_time(start, path)
        end_time = parse_time(end, path) if sep else None
        if end_time is None or end_time <= start_time:
            raise ConfigError(f"{path}: expected 'HH:MM-HH:MM' with start before end, got {text!r}")
        sessions.append((start_time, end_time))
    return sorted(sessions)
