# Two commands for a newcomer on a fresh machine (see README.md):
#   make site   - set up, build the archive into site/, and say how to read it
#   make test   - set up, install what the tests need, run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: site serve test check clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(READY)

site: $(READY)
	$(BIN)/hindsight build
	@echo "Open site/index.html in a browser to read it offline, or run 'make serve' for search."

serve: $(READY)
	$(BIN)/hindsight serve

check: $(READY)
	$(BIN)/hindsight check

test: $(READY)
	bash tests/install-tools.sh
	$(BIN)/python -m pytest

clean:
	rm -rf site $(VENV) .pytest_cache
