"""Fakes that speak the real wire protocols of our devices (STYLE.md §1 and §7)."""
