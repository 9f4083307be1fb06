"""Fixtures for the printer seam: a sample ticket and a fake LAN printer on a free port."""

from __future__ import annotations

import pytest

from hardware.ticket_image import TicketPrint
from tests.fakes.escpos_printer import FakeNetworkPrinter
from tests.hardware.samples import make_ticket


@pytest.fixture
def ticket() -> TicketPrint:
    """The default sample ticket."""
    return make_ticket()


@pytest.fixture
def lan_printer():
    """A FakeNetworkPrinter in state "ok", closed after the test."""
    with FakeNetworkPrinter() as printer:
        yield printer
