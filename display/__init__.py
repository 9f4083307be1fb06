"""Lobby wall display: the screen and the voice that call citizens to counters."""
