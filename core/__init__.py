"""The queue rules, framework-free: no Flask, Socket.IO, pyserial or python-escpos here.

Where to find a rule:
- which state may follow which: lifecycle.py
- how numbers are made, per service per local day: numbering.py
- who is called next (FIFO, priority streak, targeted transfers): ordering.py
- the wait shown on a ticket: estimate.py
- every action (issue, call, recall, start, finish, no-show, transfer, cancel, return): engine.py
- the events each action records: events.py
"""
