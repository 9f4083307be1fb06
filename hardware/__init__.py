"""Kiosk and counter hardware behind narrow, framework-free interfaces (nothing here imports Flask).

Printing: :mod:`hardware.ticket_image` renders a ticket as one 1-bit image,
:mod:`hardware.printer` sends it to an ESC/POS printer and reads its status, and
:mod:`hardware.print_worker` prints on a background thread so no web request waits on paper.
"""
