# citydesk: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
BACKEND ?= sqlite
LOCALE := functions/chalicelib/locale
export PYTHONPATH := functions:.

.PHONY: venv run test bench load site i18n requirements chromium clean admin package deploy backup

$(VENV)/.installed: pyproject.toml tools/requirements.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) tools/requirements.py dev > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	touch $@

venv: $(VENV)/.installed

# Compiled catalogues are build output (git-ignored); the Lambda package gets them too.
i18n: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d $(LOCALE) -D messages
	$(VENV)/bin/pybabel compile --use-fuzzy -d $(LOCALE) -D site

site: i18n
	$(PY) -m local.build_site

requirements: $(VENV)/.installed
	$(PY) tools/requirements.py > functions/requirements.txt

# The deployable template and code in build/package/ (sam.json, deployment.zip):
# `chalice package` with infra/ merged in (tools/infra.py). No AWS account; PyPI for
# the Lambda's arm64 wheels. The catalogues are compiled first: the package ships them.
STAGE ?= dev
package: requirements i18n
	$(PY) -m tools.infra --stage $(STAGE) --out build/package

# Deploy that package to the stack deploy/$(STAGE).json describes, then upload the
# site, set the SMS settings and generate the public pages (tools/deploy.py).
# Needs AWS credentials; the README says how to write the stage file.
deploy: package
	$(PY) -m tools.deploy --stage $(STAGE)

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

run: site
	$(PY) -m local.server --port $(PORT) --backend $(BACKEND)

# The local run's SQLite database (copied safely while `make run` serves) and photos, in
# backups/citydesk-<UTC time>.tar.gz; `python -m tools.backup --restore FILE` puts one back.
backup: $(VENV)/.installed
	$(PY) -m tools.backup

# A staff admin account; its password is printed once. Against the local run's
# storage (its secret from var/) unless CITYDESK_* variables name another.
admin: $(VENV)/.installed
	@test "$(origin USERNAME)" = "command line" || { echo 'usage: make admin USERNAME=name [NAME="Full Name"]' >&2; exit 2; }
	CITYDESK_SECRET="$${CITYDESK_SECRET:-$$(cat var/secret 2>/dev/null)}" \
		$(PY) -m tools.create_admin --username "$(USERNAME)" $(if $(NAME),--name "$(NAME)")

# axe-core for the accessibility test, pinned in package-lock.json.
node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: chromium node_modules site
	$(PY) -m pytest -q

bench: site
	$(PY) benchmarks/run.py

# The load test, apart from `make bench` (`make test` runs a tiny one): LOAD_RESIDENTS
# simulated residents for LOAD_SECONDS against the local server on each of LOAD_BACKENDS,
# its figures under `load` in benchmarks/results.json; it fails if a ticket is lost or duplicated.
LOAD_RESIDENTS ?= 200
LOAD_SECONDS ?= 60
LOAD_BACKENDS ?= sqlite dynamodb
load: site
	$(PY) -m benchmarks.load --residents $(LOAD_RESIDENTS) --seconds $(LOAD_SECONDS) \
		$(foreach backend,$(LOAD_BACKENDS),--backend $(backend))

clean:
	rm -rf build .pytest_cache .hypothesis
