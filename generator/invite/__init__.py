"""Survey invitations that get answered: `rapport invite` (command.py) writes `.eml` drafts (eml.py) and a
mail-merge CSV (mailmerge.py) with one-click scores (message.py) and records them (record.py); docs/invitations.md."""
