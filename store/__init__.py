"""The bottom layer and the only shared state: schema, migrations, queries, records."""
