"""`rapport digest`: the weekly summary as a dashboard page and an e-mail for the consultant.

The figures come from generator/metrics/digest.py; this package only shows them
(`page.py`), wraps them in an e-mail (`mail.py`) and writes both (`command.py`).
"""
