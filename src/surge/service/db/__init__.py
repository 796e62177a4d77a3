"""The service database: SQLAlchemy 2 models, engine and session, Alembic migrations."""
