"""Fakes that speak the real wire protocols of our devices (docs/design.md "Style")."""
