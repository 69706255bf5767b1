"""The ingest API: accepts article files, stores them with their job, and hands them to the workers."""
