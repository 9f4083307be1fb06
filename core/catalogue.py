"""Where the truth lives: config.toml as the starting point, the console's overlay (database) on top.

`merge(file_settings, overlay)` is pure: it returns the frozen Settings the queue runs on, with every
entry the console edited taken from the overlay (README "Where the truth lives" lists which keys are
which). `Catalogue` owns the running engine's settings: each console change is one transaction (check,
overlay rows, one `admin_*` event) after which `engine.settings` is swapped; in other processes the swap
happens when SQLite's PRAGMA data_version moves and the overlay's version with it.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date

from store import catalogue as overlay_store

from . import lifecycle
from .catalogue_rules import (FieldErrors, check_closure, check_counter, check_exception, check_group,
                              check_policy, check_service, check_weekly, parse_session_text)
from .errors import NotFound
from .numbering import local_day
from .settings import WEEKDAYS, DayException, Group, Service, Settings

log = logging.getLogger(__name__)


def _sessions(texts) -> tuple:
    return tuple(s for s in (parse_session_text(t) for t in texts) if s is not None)


def merge(base: Settings, overlay: dict[str, dict[str, dict]]) -> Settings:
    """The centre as it runs: `base` (config.toml) with the console's overlay rows winning."""
    groups = dict(base.groups)
    for group_id, data in overlay.get("group", {}).items():
        groups[group_id] = Group(id=group_id, name=data["name"], name_en=data.get("name_en", ""))
    services = dict(base.services)
    for code, data in overlay.get("service", {}).items():
        services[code] = Service(code=code, name=data["name"], name_en=data.get("name_en", ""),
                                 group=data["group"], prefix=data["prefix"], width=data["width"],
                                 first_number=data["first_number"], daily_cap=data["daily_cap"],
                                 retired=bool(data.get("retired")))
    for service in services.values():
        if service.group not in groups:  # a lĩnh vực removed from config.toml that an edited thủ tục uses
            groups[service.group] = Group(id=service.group, name=service.group, name_en=service.group)
    counters = dict(base.counters)
    for counter_id, data in overlay.get("counter", {}).items():
        if counter_id not in counters:
            continue  # counters themselves (ids, devices, tokens) are config.toml's: IT adds and removes them
        served = tuple(code for code in data["services"] if code in services) or counters[counter_id].services
        counters[counter_id] = dataclasses.replace(counters[counter_id], name=data["name"], services=served,
                                                   priority=bool(data["priority"]))
    hours = base.hours
    weekly = overlay.get("weekly", {}).get("hours")
    if weekly is not None:
        hours = dataclasses.replace(hours, weekly={index: _sessions(weekly.get(day, []))
                                                   for index, day in enumerate(WEEKDAYS, start=1)
                                                   if weekly.get(day)})
    exceptions = {day: DayException(day=day, kind=data["kind"], sessions=_sessions(data.get("sessions", [])),
                                    note=data.get("note", ""), note_en=data.get("note_en", ""))
                  for day, data in overlay.get("exception", {}).items()}
    hours = dataclasses.replace(hours, exceptions=exceptions)
    closures: dict[str, dict[str, tuple[str, str]]] = {}
    for key, data in overlay.get("closure", {}).items():
        day, _, code = key.partition("/")
        closures.setdefault(day, {})[code] = (data["reason"], data.get("reason_en", ""))
    policy = base.policy
    if "policy" in overlay.get("policy", {}):
        known = {f.name for f in dataclasses.fields(policy)}
        policy = dataclasses.replace(policy, **{k: v for k, v in overlay["policy"]["policy"].items() if k in known})
    return dataclasses.replace(base, groups=groups, services=services, counters=counters, hours=hours,
                               closures=closures, policy=policy)


def service_record(service: Service) -> dict:
    """A thủ tục as an overlay row: every field, so the row alone describes it."""
    return {"name": service.name, "name_en": service.name_en, "group": service.group, "prefix": service.prefix,
            "width": service.width, "first_number": service.first_number, "daily_cap": service.daily_cap,
            "retired": service.retired}


class Catalogue:
    """The running centre's catalogue: the file's settings, the overlay, and the engine they feed."""

    def __init__(self, engine, file_settings: Settings):
        self.engine, self.file_settings = engine, file_settings
        self._version = -1
        self._data_version = None

    # --- reading -------------------------------------------------------------------------------
    def load(self) -> Settings:
        """Read the overlay and put the merged settings into the engine (at start, or when it moved)."""
        with self.engine.store.read() as tx:
            overlay, version = overlay_store.read_overlay(tx), overlay_store.overlay_version(tx)
        self._install(merge(self.file_settings, overlay), version)
        return self.engine.settings

    def refresh(self) -> bool:
        """Reload when another process changed the overlay; cheap when nothing moved. True if reloaded."""
        marker = self.engine.store.data_version()
        if marker == self._data_version:
            return False
        self._data_version = marker
        with self.engine.store.read() as tx:
            version = overlay_store.overlay_version(tx)
        if version == self._version:
            return False
        self.load()
        return True

    def _install(self, settings: Settings, version: int) -> None:
        if version < self._version:
            return  # an older overlay finished after a newer one was installed
        self._version = version
        self.engine.use_settings(settings)

    def today(self) -> date:
        return date.fromisoformat(local_day(self.engine.clock.now(), self.engine.settings.centre.timezone))

    def open_tickets(self) -> dict[str, int]:
        """Open tickets per thủ tục (any day): what retiring one leaves to finish."""
        with self.engine.store.read() as tx:
            return overlay_store.open_ticket_counts(tx, lifecycle.OPEN)

    # --- changing ------------------------------------------------------------------------------
    def _change(self, actor: str, kind: str, edit, **event) -> Settings:
        """One console change: in one transaction read the overlay, let `edit(tx, settings)` check and
        write rows, append the `kind` event; then swap the engine's settings. A refusal writes nothing."""
        with self.engine.store.transaction() as tx:
            settings = merge(self.file_settings, overlay_store.read_overlay(tx))
            details = edit(tx, settings) or {}
            merged = merge(self.file_settings, overlay_store.read_overlay(tx))
            tx.append_event(at=self.engine.clock.now(), actor=actor, kind=kind, service=event.get("service"),
                            counter=event.get("counter"), details=details)
            version = overlay_store.overlay_version(tx)
        self._install(merged, version)
        return merged

    def add_group(self, actor: str, data: dict) -> Settings:
        def edit(tx, settings):
            group_id, record = check_group(settings, data, None)
            overlay_store.put(tx, "group", group_id, record)
            return {"code": group_id, "group": group_id, **record}
        return self._change(actor, "admin_group_added", edit)

    def edit_group(self, actor: str, group_id: str, data: dict) -> Settings:
        def edit(tx, settings):
            if group_id not in settings.groups:
                raise NotFound("group_not_found", f"Không có lĩnh vực “{group_id}”.")
            _, record = check_group(settings, data, group_id)
            overlay_store.put(tx, "group", group_id, record)
            return {"code": group_id, "group": group_id, **record}
        return self._change(actor, "admin_group_changed", edit)

    def add_service(self, actor: str, data: dict) -> Settings:
        def edit(tx, settings):
            code, record = check_service(settings, data, None)
            overlay_store.put(tx, "service", code, record)
            return {"code": code, **record}
        return self._change(actor, "admin_service_added", edit, service=data.get("code"))

    def edit_service(self, actor: str, code: str, data: dict) -> Settings:
        def edit(tx, settings):
            _service(settings, code)
            _, record = check_service(settings, data, code)
            overlay_store.put(tx, "service", code, record)
            return {"code": code, **record}
        return self._change(actor, "admin_service_changed", edit, service=code)

    def retire_service(self, actor: str, code: str, retired: bool = True) -> Settings:
        """Retire (no new tickets; open ones still show and finish) or take a retired thủ tục back."""
        def edit(tx, settings):
            service = _service(settings, code)
            overlay_store.put(tx, "service", code, {**service_record(service), "retired": retired})
            return {"code": code, "retired": retired}
        return self._change(actor, "admin_service_retired" if retired else "admin_service_restored", edit,
                            service=code)

    def close_service_today(self, actor: str, code: str, data: dict) -> Settings:
        """Close a thủ tục for the rest of today, with the reason the kiosk shows."""
        def edit(tx, settings):
            _service(settings, code)
            record = check_closure(settings, code, data)
            day = self.today().isoformat()
            overlay_store.put(tx, "closure", f"{day}/{code}", record)
            return {"code": code, "day": day, "text": record["reason"], **record}
        return self._change(actor, "admin_service_closed", edit, service=code)

    def open_service_today(self, actor: str, code: str) -> Settings:
        def edit(tx, settings):
            _service(settings, code)
            day = self.today().isoformat()
            overlay_store.remove(tx, "closure", f"{day}/{code}")
            return {"code": code, "day": day}
        return self._change(actor, "admin_service_opened", edit, service=code)

    def edit_counter(self, actor: str, counter_id: str, data: dict) -> Settings:
        """Name, thủ tục served and priority flag; the next call at that counter follows them."""
        def edit(tx, settings):
            if counter_id not in settings.counters:
                raise NotFound("counter_not_found", f"Không có quầy “{counter_id}”.")
            record = check_counter(settings, counter_id, data)
            overlay_store.put(tx, "counter", counter_id, record)
            return {"code": counter_id, **record}
        return self._change(actor, "admin_counter_changed", edit, counter=counter_id)

    def set_weekly_hours(self, actor: str, data: dict) -> Settings:
        def edit(tx, settings):
            record = check_weekly(data)
            overlay_store.put(tx, "weekly", "hours", record)
            return record
        return self._change(actor, "admin_hours_changed", edit)

    def add_exception(self, actor: str, data: dict) -> Settings:
        """A holiday, a làm bù Saturday or a day closing early (not in the past; replaces that day's)."""
        def edit(tx, settings):
            day, record = check_exception(data, self.today())
            overlay_store.put(tx, "exception", day, record)
            return {"day": day, "text": record["note"], **record}
        return self._change(actor, "admin_day_exception_set", edit)

    def remove_exception(self, actor: str, day: str) -> Settings:
        def edit(tx, settings):
            if not overlay_store.remove(tx, "exception", day):
                raise NotFound("exception_not_found", f"Không có lịch riêng cho ngày “{day[:10]}”.")
            return {"day": day}
        return self._change(actor, "admin_day_exception_removed", edit)

    def set_policy(self, actor: str, data: dict) -> Settings:
        def edit(tx, settings):
            record = check_policy(data)
            overlay_store.put(tx, "policy", "policy", record)
            return record
        return self._change(actor, "admin_policy_changed", edit)


def _service(settings: Settings, code: str) -> Service:
    service = settings.services.get(code)
    if service is None:
        raise NotFound("service_not_found", f"Không có thủ tục “{str(code)[:40]}”.")
    return service


__all__ = ["Catalogue", "FieldErrors", "merge", "service_record"]
