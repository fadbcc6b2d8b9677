# Habeas: `make run` sets up and serves the app on the embedded SQLite database;
# `make test` sets up and runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test demo clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

instance/.seeded: $(STAMP)
	mkdir -p instance
	$(BIN)/habeas init
	$(BIN)/habeas demo --processes processes > instance/demo-users.json
	@echo "Demo users (passwords and API tokens, shown once; also in instance/demo-users.json):"
	@cat instance/demo-users.json
	touch instance/.seeded

run: install instance/.seeded
	$(BIN)/habeas init
	$(BIN)/habeas deploy processes/*.bpmn >/dev/null
	$(BIN)/python -m engine.overview

test: install
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) instance .pytest_cache
