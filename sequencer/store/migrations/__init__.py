"""The Alembic environment that versions sequencer's schema (no alembic.ini: see
:mod:`sequencer.store.migrate`).

A new revision, after changing ``sequencer/store/tables.py``::

    from alembic import command
    from sequencer.store import migrate

    command.revision(migrate.alembic_config("sqlite:///scratch.db"), "what changed",
                     autogenerate=True, rev_id="0003_what_changed")

against a scratch database at the current head (``sequencer --db scratch.db db upgrade``): it writes
``versions/0003_what_changed.py``, with plain SQLAlchemy types. Read it (autogenerate misses some
things, e.g. an index's WHERE), set :data:`sequencer.store.migrate.HEAD` to the new id, and run
``tests/integration/test_migrations.py``: from empty to head must give exactly the models' schema.
"""
