"""Celery workers: the app, the tasks, and the pure pipeline they run over each accepted file."""
