"""The history store (one SQLite file per province), the journal that puts a run's outputs in place
together with its store record, and what the store gives back: last month's groups as next month's
pre-filled rows."""
