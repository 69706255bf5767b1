# The two commands of the README: `make run` and `make test`. Both create the virtual environment
# when needed and use embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test migrate install clean

run: $(STAMP)
	$(BIN)/babelwire up

test: $(STAMP)
	$(BIN)/babelwire --data-dir .data/test with-services -- $(BIN)/python -m pytest $(PYTEST_ARGS)

migrate: $(STAMP)
	$(BIN)/babelwire migrate

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .data
