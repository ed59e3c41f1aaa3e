# Two commands on a fresh Debian/Ubuntu machine: `make demo` and `make test`.
# Each installs what is missing (system libraries through apt-get when run as root or with sudo,
# then a virtual environment in .venv with the project and its test tools) and runs.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test serve system lock clean

demo: $(VENV)/.installed
	$(BIN)/savings-report demo

# The office's web page on the demo data (an empty ./workspace is filled with it first).
serve: $(VENV)/.installed
	$(BIN)/savings-report serve --demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q

# WeasyPrint needs Pango (and HarfBuzz's subsetter, to embed font subsets quickly); the tests read PDFs with poppler's
# pdftotext/pdffonts/pdftoppm, re-save workbooks with LibreOffice and drive the web pages in Chromium.
system:
	@missing=""; \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	ldconfig -p | grep -q "libpango-1.0.so" || missing="$$missing libpango-1.0-0"; \
	ldconfig -p | grep -q "libpangoft2-1.0.so" || missing="$$missing libpangoft2-1.0-0"; \
	ldconfig -p | grep -q "libharfbuzz-subset.so" || missing="$$missing libharfbuzz-subset0"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-calc"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v zip >/dev/null || missing="$$missing zip"; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# constraints.txt pins the exact versions CI tested (every platform: `uv pip compile --universal`),
# so an office installing next year gets what was tested. `make lock` renews it after a change of
# pyproject.toml's dependencies; tests/test_wheel.py fails while a requirement is not pinned.
$(VENV)/.installed: pyproject.toml constraints.txt | system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 --quiet \
		--output-file constraints.txt

clean:
	rm -rf $(VENV) output/demo workspace
