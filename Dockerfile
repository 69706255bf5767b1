# babelwire: one image for every process of the service. The command picks the role:
#   read API (default)  uvicorn services.api.app:app --host 0.0.0.0 --port 8001
#   ingest API          uvicorn services.ingest.app:app --host 0.0.0.0 --port 8000
#   worker / beat       celery -A workers.app worker | beat
#   migrations          babelwire migrate
# Settings come from DATABASE_URL, REDIS_URL and BABELWIRE_* (babelwire/settings.py);
# docker-compose.yml runs the whole stack. Runtime dependencies only, pinned by constraints.txt.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY babelwire/ babelwire/
COPY services/ services/
COPY workers/ workers/
COPY migrations/ migrations/

# The SQL migrations and language vocabularies ship as package data; the source tree then goes,
# so every process imports the one installed copy.
RUN pip install --no-cache-dir -c constraints.txt . \
    && rm -rf /src \
    && useradd --create-home --uid 10001 babelwire

WORKDIR /home/babelwire
USER babelwire

EXPOSE 8000 8001
CMD ["uvicorn", "services.api.app:app", "--host", "0.0.0.0", "--port", "8001"]
