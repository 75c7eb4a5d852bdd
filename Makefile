# make manual | make test | make serve | make bench | make setup
# Needs only Python 3.11+ and git; everything else is installed into .venv on first use.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup manual test chromium pdf-libraries serve bench clean

# Only the environment: .venv with qms, mkdocs and the test tools (what CI needs before it runs qms itself), and
# the system libraries the controlled PDFs need.
setup: $(STAMP) pdf-libraries

# Built beside site/ and swapped in only when the strict build passes: a failed build never leaves a site to copy.
manual: $(STAMP) pdf-libraries
	$(BIN)/qms check
	@rm -rf .site.new
	@$(BIN)/mkdocs build --strict --site-dir .site.new || { rm -rf .site.new; \
		echo "The manual was not built (see above); site/ is unchanged"; exit 1; }
	@rm -rf .site.old && { test ! -d site || mv site .site.old; } && mv .site.new site && rm -rf .site.old
	@echo "The manual is built: site/index.html (make serve to browse it at http://127.0.0.1:8000)"

test: $(STAMP) chromium
	@bash tools/setup/ensure-pdf.sh --test
	$(BIN)/python -m pytest

# The browser tests drive headless Chromium; installed with apt-get when missing (tools/setup/ensure-chromium.sh).
chromium:
	@bash tools/setup/ensure-chromium.sh

# The controlled PDFs need headless Chromium (each document's), Pango (WeasyPrint: the whole manual) and fonts;
# installed with apt-get when missing (tools/setup/ensure-pdf.sh).
pdf-libraries:
	@bash tools/setup/ensure-pdf.sh

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[manual,test,word,bench]'
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3 --version)"; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[manual,test,word]'
	@touch $(STAMP)

clean:
	rm -rf site .venv
