"""Small tools for trying Xếp Hàng without the hardware (python -m tools.NAME)."""
