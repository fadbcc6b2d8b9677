# Habeas: `make run` sets up and serves the app on the embedded SQLite database;
# `make test` sets up and runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

ASSETS := web/static/vendor/.installed

.PHONY: install assets dist run test bench demo clean messages

# The interface's catalogues (web/translations/{kk,ru,en}/LC_MESSAGES/messages.po) are compiled
# to .mo files here; the .mo files are build products, never committed.
CATALOGUES := $(wildcard web/translations/*/LC_MESSAGES/messages.po)
COMPILED   := $(CATALOGUES:.po=.mo)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) $(COMPILED)

web/translations/%/LC_MESSAGES/messages.mo: web/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# After changing a template, a message in Python, the catalogue's wording or a diagram: collect
# the messages again and merge them into each language's catalogue (then translate what is new).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project Habeas -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching --ignore-obsolete

# Front-end libraries come from the npm registry (package.json + lockfile); their prebuilt
# bundles are copied into web/static/vendor (not committed).
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	rm -rf web/static/vendor && mkdir -p web/static/vendor
	cp -r node_modules/bpmn-js/dist/assets web/static/vendor/bpmn-js-assets
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js web/static/vendor/
	cp node_modules/bpmn-js-properties-panel/dist/bpmn-js-properties-panel.umd.js web/static/vendor/
	cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css web/static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js web/static/vendor/
	touch $(ASSETS)

assets: $(ASSETS)

# The wheel an office installs (dist/habeas-VERSION-py3-none-any.whl): code, migrations, templates,
# static files, the front-end bundles built above, the message catalogues and the process library.
# Built from a clean build/ so no stale file slips in.
dist: install assets
	rm -rf build dist
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .
	@ls dist/*.whl

instance/.seeded: $(STAMP)
	mkdir -p instance
	$(BIN)/habeas init
	$(BIN)/habeas demo --processes processes > instance/demo-users.json
	@echo "Demo users (passwords and API tokens, shown once; also in instance/demo-users.json):"
	@cat instance/demo-users.json
	touch instance/.seeded

run: install assets instance/.seeded
	$(BIN)/habeas init
	$(BIN)/habeas deploy processes/*.bpmn >/dev/null
	$(BIN)/python -m engine.overview
	$(BIN)/habeas serve --host 127.0.0.1 --port $(or $(PORT),8000)

test: install assets
	$(BIN)/pytest -q

# Side-by-side benchmarks (bare SpiffWorkflow, naive save/load, engine on SQLite/PostgreSQL, HTTP).
# QUICK=1 finishes in under a minute.
bench: install
	$(BIN)/python -m benchmarks $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) instance .pytest_cache build dist
