"""The console's first page: the sections this role may open (the menu, as large links)."""

from __future__ import annotations

from .console import CONSOLE_ROLES, blueprint, menu, render, viewer


@blueprint.get("")
def home_page():
    caller = viewer(*CONSOLE_ROLES)
    return render("admin/home.html", sections=menu(caller.kind))
