"""The history store (one SQLite file per province) and the journal that puts a run's outputs in
place together with its store record: both old or both new."""
