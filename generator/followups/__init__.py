"""Follow-ups of unhappy answers: opening them as answers arrive, closing them, and `rapport followup`.

The rules (what opens one, when it is due) live in generator/metrics/followups.py; the file's
format and checks in generator/load/followups.py; docs/data-formats.md describes both.
"""
