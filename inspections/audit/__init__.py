"""The append-only change log: who changed what, when, from where."""
