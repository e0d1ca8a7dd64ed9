# docpipe — make demo (install + convert the sample) and make test are the two set-up commands.
SHELL := /bin/bash
.DEFAULT_GOAL := demo
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DOCPIPE := $(VENV)/bin/docpipe
BUILD  ?= build
SAMPLE := samples/un-sg-report-2024.zh-Hant.txt
SCRIPT ?= keep
DEMO_SUFFIXES ?= .ir.json .html .epub .docx .pdf .tei.xml
export SOURCE_DATE_EPOCH ?= 1724198400

# Debian packages: validators and renderers the tests run for real, CJK fonts, HarfBuzz subsetting, fontconfig's
# fc-list (font coverage), and fonts-noto-core (12 MB: Noto faces for Devanagari, Syriac, Arabic, Hebrew, Greek…).
DEB_PACKAGES := epubcheck jing poppler-utils libharfbuzz-subset0 fontconfig fonts-noto-cjk fonts-noto-core fonts-hanazono fonts-dejavu-core \
                libpango-1.0-0 \
                libpangoft2-1.0-0 libreoffice-writer-nogui libreoffice-draw-nogui libreoffice-math-nogui default-jre-headless
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow lint clean bench deb constraints fuzz

install: $(STAMP)

deb:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "docpipe needs these Debian packages; install them with:"; \
	     echo "  sudo apt-get install -y$$missing"; exit 0; fi; \
	echo "installing Debian packages:$$missing"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing

$(STAMP): pyproject.toml constraints.txt | deb
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	$(PY) -m compileall -q pipeline  # as a wheel's install does: no process compiles them (PYTHONDONTWRITEBYTECODE)
	touch $@
	@echo "docpipe is installed in $(VENV): run it as $(DOCPIPE), or put it on PATH with: . $(VENV)/bin/activate"

# after a deliberate upgrade and a green `make test`: record the versions the suite ran with
constraints: install
	{ sed -n '1,2p' constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v -i '^docpipe'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

demo: install
	$(MAKE) --no-print-directory SRC=$(dir $(SAMPLE)) $(foreach s,$(DEMO_SUFFIXES),$(BUILD)/$(notdir $(basename $(SAMPLE)))$(s))
	@ls -l $(BUILD)

# on every core (pytest-xdist); PYTEST_WORKERS=0 runs them in this process. --dist loadscope sends each module's
# tests to one worker, so a module's converted fixtures are made once, not once per worker
PYTEST_WORKERS ?= auto
PYTEST_DIST = $(if $(filter 0,$(PYTEST_WORKERS)),,--dist loadscope)
test: install
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_DIST)

# the real-document corpora and scale checks: slower; CI runs them after `make test`
test-slow: install
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_DIST) -m slow

lint: install
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/mypy pipeline

# docpipe's modules compiled first, as an installed wheel's are (WeasyPrint's, measured beside it, are): a fresh
# process that compiles about 60 modules (PYTHONDONTWRITEBYTECODE set) spends ~0.3 s doing it
bench: install
	$(PY) -m compileall -q pipeline
	$(PY) -m pipeline.bench

# The long fuzzing campaign (tests/fuzz_campaign.py): FUZZ_SECONDS of mutated DOCX, ODT, EPUB, TEI, HTML, Markdown
# and .ir.json through every format; findings become fixtures in tests/fixtures/fuzz/ and fail the target.
FUZZ_SECONDS ?= 1800
FUZZ_SEED ?= 1
fuzz: install
	$(PY) -m tests.fuzz_campaign --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED)

clean:
	rm -rf $(BUILD) .pytest_cache .mypy_cache .ruff_cache

# `make proofs [PROOF=doc] [PAGES=1-8] [CHAPTERS=1-2] [SIZES="A4 A5"] [SCRIPTS="keep hans"]`: one contact sheet per
# document, edition and page size in $(BUILD)/proofs/ (PDF pages of both engines, the DOCX through LibreOffice,
# EPUB chapters through headless Chromium, light and dark), to look at a change before committing it.
PROOF ?= $(SAMPLE)
PAGES ?= 1-8
CHAPTERS ?= 1-2
SIZES ?= A4 A5
SCRIPTS ?= keep hans
.PHONY: proofs
proofs: install
	@for size in $(SIZES); do for script in $(SCRIPTS); do \
	  $(PY) -m pipeline.proof $(PROOF) --pages $(PAGES) --chapters $(CHAPTERS) --engines weasyprint,typst \
	    --page-size $$size --script $$script || exit 1; done; done

# ---- pattern rules: source -> $(BUILD)/NAME.ir.json -> each format ----------------------------------------
# `make docs SRC=folder BUILD=folder` builds every format of every source in SRC; `make -j` is safe: each
# output has one rule, outputs are written atomically, and the IR is the only shared intermediate.
# The style/font prerequisites mirror pipeline/batch.py FORMAT_DEPS (tests/test_make.py checks they agree).
# Every variable that changes an output is a prerequisite too: the IR depends on $(OPTIONS_STAMP), a file named
# after the values of SCRIPT and SOURCE_DATE_EPOCH, so changing either rebuilds everything in the new edition.
SRC ?= samples
FORMATS ?= html epub docx pdf tei
SOURCES := $(wildcard $(SRC)/*.txt $(SRC)/*.md $(SRC)/*.docx)
STEMS := $(basename $(notdir $(SOURCES)))
NAMES := $(sort $(STEMS))
CLASHES := $(strip $(foreach n,$(NAMES),$(if $(word 2,$(filter $(n),$(STEMS))),$(n))))
SUFFIX_html := .html
SUFFIX_epub := .epub
SUFFIX_docx := .docx
SUFFIX_pdf := .pdf
SUFFIX_tei := .tei.xml
SUFFIX_md := .md
DOC_OUTPUTS := $(foreach n,$(NAMES),$(foreach f,$(FORMATS),$(BUILD)/$(n)$(SUFFIX_$(f))))
PIPELINE_SRC := $(shell find pipeline -name '*.py' 2>/dev/null)
CONVERT = $(DOCPIPE) convert $< --out-dir $(BUILD) --name $*
INSTALL_PREREQ ?= $(STAMP)
OPTIONS_STAMP := $(BUILD)/.options-script-$(SCRIPT)-epoch-$(SOURCE_DATE_EPOCH)

ifneq ($(filter $(SCRIPT),keep hant hans tw hk),$(SCRIPT))
$(error SCRIPT=$(SCRIPT) is not a script edition (expected one of keep hant hans tw hk))
endif
ifneq ($(filter docs,$(MAKECMDGOALS)),)
ifeq ($(wildcard $(SRC)/.),)
$(error SRC=$(SRC): no such folder (expected a folder of .txt, .md or .docx sources))
endif
ifeq ($(SOURCES),)
$(error SRC=$(SRC): no .txt, .md or .docx source in this folder)
endif
ifneq ($(CLASHES),)
$(error SRC=$(SRC): several sources would be built as $(BUILD)/$(firstword $(CLASHES)).* ($(filter $(SRC)/$(firstword $(CLASHES)).%,$(SOURCES))); rename one)
endif
endif

.PHONY: docs
docs: $(DOC_OUTPUTS)

# One stamp per value: the one for the values in force is created (the others removed), so it is newer than
# every IR built with other values; `make -n` sees the same thing as `make`.
$(OPTIONS_STAMP):
	@mkdir -p $(@D)
	@rm -f $(BUILD)/.options-*
	@printf 'SCRIPT=%s\nSOURCE_DATE_EPOCH=%s\n' '$(SCRIPT)' '$(SOURCE_DATE_EPOCH)' > $@

$(BUILD)/%.ir.json: $(SRC)/%.txt $(OPTIONS_STAMP) $(PIPELINE_SRC) | $(INSTALL_PREREQ)
	$(CONVERT) --to ir --script $(SCRIPT)

$(BUILD)/%.ir.json: $(SRC)/%.md $(OPTIONS_STAMP) $(PIPELINE_SRC) | $(INSTALL_PREREQ)
	$(CONVERT) --to ir --script $(SCRIPT)

$(BUILD)/%.ir.json: $(SRC)/%.docx $(OPTIONS_STAMP) $(PIPELINE_SRC) | $(INSTALL_PREREQ)
	$(CONVERT) --to ir --script $(SCRIPT)

$(BUILD)/%.html: $(BUILD)/%.ir.json styles/html.css
	$(CONVERT) --to html

$(BUILD)/%.epub: $(BUILD)/%.ir.json styles/epub.css fonts/fonts.toml
	$(CONVERT) --to epub

$(BUILD)/%.docx: $(BUILD)/%.ir.json fonts/fonts.toml
	$(CONVERT) --to docx

$(BUILD)/%.pdf: $(BUILD)/%.ir.json styles/print.css fonts/fonts.toml
	$(CONVERT) --to pdf

$(BUILD)/%.tei.xml: $(BUILD)/%.ir.json
	$(CONVERT) --to tei

$(BUILD)/%.md: $(BUILD)/%.ir.json
	$(CONVERT) --to md

.PRECIOUS: $(BUILD)/%.ir.json
