# The two commands of the README: `make demo` and `make test`. Both set themselves up:
# a virtual environment in .venv, installed from the pinned constraints.txt.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.installed

export LAKE_URI ?= ./lake
export DUCKDB_PATH ?= target/spotify.duckdb
PIP_VERSION := 25.3
DOCS_PORT ?= 8081
DEMO_ARTISTS ?= BLACKPINK 블랙핑크 beyonce Queen
export SERVING_FILE_URI ?= target/serving/artist_recommendations.parquet

.PHONY: setup demo test lint sqllint metalint pytest build serve docs docs-static doccheck \
	diagram docs-screenshots lock clean

setup: $(SETUP_STAMP) profiles.yml

$(SETUP_STAMP): pyproject.toml constraints.txt
	@echo "== setting up $(VENV) from constraints.txt"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

# dbt reads ./profiles.yml (git-ignored); start from the documented example.
profiles.yml:
	cp profiles.example.yml profiles.yml

## demo: import the TidyTuesday sample into the local lake, build the warehouse and its
## serving file, ask it.
demo: setup
	$(BIN)/spotify-extract dataset data/tidytuesday/spotify_songs.parquet --lake "$(LAKE_URI)" --name tidytuesday
	$(BIN)/dbt build --target duckdb --profiles-dir . --quiet
	$(BIN)/spotify-related export --to "$(SERVING_FILE_URI)"
	$(BIN)/spotify-related $(DEMO_ARTISTS)

## build: run the dbt models and tests on whatever is in the lake, then write the serving file.
build: setup
	$(BIN)/dbt build --target duckdb --profiles-dir .
	$(BIN)/spotify-related export --to "$(SERVING_FILE_URI)"

## serve: the chat skill server on http://127.0.0.1:8080/skill, from the serving file.
serve: setup
	$(BIN)/spotify-related serve --host 127.0.0.1 --port 8080 --serving-file "$(SERVING_FILE_URI)"

## docs: generate the dbt docs site for the DuckDB target (the lineage graph; every model,
## column and exposure) and serve it on http://localhost:$(DOCS_PORT).
docs: setup
	@test -f "$(DUCKDB_PATH)" || echo "note: no warehouse at $(DUCKDB_PATH) yet (make demo builds one): the site will lack column types"
	$(BIN)/dbt docs generate --target duckdb --profiles-dir .
	$(BIN)/dbt docs serve --profiles-dir . --port $(DOCS_PORT)

## docs-static: the same site as one file to share, target/static_index.html (open it in a
## browser; its pictures and guide links read target/docs/, copied beside it).
docs-static: setup
	@test -f "$(DUCKDB_PATH)" || echo "note: no warehouse at $(DUCKDB_PATH) yet (make demo builds one): the site will lack column types"
	$(BIN)/dbt docs generate --target duckdb --profiles-dir . --static
	@echo "open target/static_index.html"

## doccheck: the docs rules that need the built warehouse (dbt-bouncer-catalog.yml: every
## built column in the yml and every yml column built), then the coverage figures.
doccheck: setup
	$(BIN)/dbt docs generate --target duckdb --profiles-dir . --quiet
	$(BIN)/dbt-bouncer run --config-file dbt-bouncer-catalog.yml
	$(BIN)/python -m tests.metadata_rules.docs_coverage target

## diagram: draw docs/images/pipeline.svg (the README's and the overview's picture) from
## docs/images/pipeline.dot with Graphviz (Debian: apt-get install graphviz).
diagram: docs/images/pipeline.svg

docs/images/pipeline.svg: docs/images/pipeline.dot
	dot -Tsvg $< -o $@

## docs-screenshots: the docs site checked in headless chromium (tests/python/test_docs_site.py)
## and its screenshots written to target/docs-screenshots/; the lineage graph becomes
## docs/images/lineage.png, the README's picture.
docs-screenshots: setup
	CI=true DOCS_SCREENSHOTS=target/docs-screenshots $(BIN)/pytest tests/python/test_docs_site.py -p no:cacheprovider -q
	cp target/docs-screenshots/lineage.png docs/images/lineage.png

## test: lint (ruff, sqlfluff, dbt-bouncer) and every test (dbt tests run inside pytest).
test: setup lint sqllint metalint pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# sqlfluff's dbt templater skips macro files, so the macros are linted as what they expand
# to: every model compiled for each target (Athena offline, with placeholder credentials),
# each with its dialect, by the rules templating cannot distort (layout and quoting are the
# compiler's, and the models themselves are linted in full on the line before). target/ is
# in .sqlfluffignore, hence --disregard-sqlfluffignores.
COMPILED_SQL_RULES := capitalisation,aliasing,convention,ambiguous
OFFLINE_ATHENA := AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline AWS_SESSION_TOKEN=offline \
	AWS_EC2_METADATA_DISABLED=true ATHENA_S3_STAGING_DIR=s3://offline-athena-results/results/ \
	ATHENA_S3_DATA_DIR=s3://offline-athena-data/warehouse/ LAKE_URI=s3://offline-lake/lake
COMPILED_MODELS := compiled/spotify_warehouse/models

sqllint: setup
	mkdir -p target
	$(BIN)/sqlfluff lint --config extract/dataset/.sqlfluff extract/dataset/sql
	DUCKDB_PATH=target/sqlfluff.duckdb $(BIN)/sqlfluff lint models tests analyses
	rm -rf target/sqllint
	DUCKDB_PATH=target/sqlfluff.duckdb $(BIN)/dbt compile --target duckdb --profiles-dir . \
		--target-path target/sqllint/duckdb --select resource_type:model --quiet
	$(OFFLINE_ATHENA) $(BIN)/dbt compile --target athena --no-populate-cache --profiles-dir . \
		--target-path target/sqllint/athena --select resource_type:model --quiet
	$(BIN)/sqlfluff lint --templater raw --dialect duckdb --rules $(COMPILED_SQL_RULES) --disregard-sqlfluffignores \
		target/sqllint/duckdb/$(COMPILED_MODELS)/*/*/*.sql
	$(BIN)/sqlfluff lint --templater raw --dialect athena --rules $(COMPILED_SQL_RULES) --disregard-sqlfluffignores \
		target/sqllint/athena/$(COMPILED_MODELS)/*/*/*.sql

## metalint: the metadata rules of dbt-bouncer.yml on the parsed project (no build needed).
metalint: setup
	$(BIN)/dbt parse --target duckdb --profiles-dir . --quiet
	COLUMNS=160 $(BIN)/dbt-bouncer run --config-file dbt-bouncer.yml --show-all-failures

pytest: setup
	$(BIN)/pytest

## lock: re-resolve the dependencies and rewrite constraints.txt.
lock:
	rm -rf /tmp/spotify-warehouse-lock && $(PYTHON) -m venv /tmp/spotify-warehouse-lock
	/tmp/spotify-warehouse-lock/bin/python -m pip install --quiet -e ".[dev]"
	{ head -n 2 constraints.txt; /tmp/spotify-warehouse-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf target logs lake $(VENV)
