"""Babelwire's shared kernel: settings, database pool, record schemas, HTTP problems, migrations
and the local stack launcher. Everything here is used by more than one of the services and workers."""
