"""Responses and contacts coming home: the collector, importers and `rapport log`.

Everything that writes into `data/` goes through `intake.ingest` (responses) or
`contacts.append_contact`, which check records with the loader's rules and append them
under one lock by atomic replacement (`append.py`); refused records go to the quarantine.
"""
