# One command to run the assistant (`make run`) and one to test it (`make test`).
# Each step re-runs only when its inputs changed.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_INTER_OP_PARALLELISM_THREADS := 1
export TF_INTRA_OP_PARALLELISM_THREADS := 2

INSTALLED := $(VENV)/.installed
SPACY_PIPELINE := build/spacy/mesotherapy_en/vocabulary.sha256
KNOWLEDGE_BASE := var/knowledge-base.stamp
MODEL := models/mesotherapy.tar.gz
WIDGET_CLIENT := widget/vendor/socket.io.min.js
CHROMIUM := /usr/bin/chromium
GUIDES := $(wildcard data/guide/*.txt data/guide/*.md)
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml data/nlu/*.yml) $(SPACY_PIPELINE)

.PHONY: help setup run test test-unit test-servers test-browser lint validate test-conversations evaluate-nlu evaluate-real cross-validate-real spacy kb train widget chromium benchmark clean \
  cluster cluster-tools \
  review-inbox merge-labels deploy evaluate profile

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 22

# The lock pins every package; then the project itself, editable (pyproject.toml): `bot`, `actions`,
# `connectors` and `bench` import from anywhere, no PYTHONPATH.
$(INSTALLED): requirements.lock pyproject.toml
	@python=$$(scripts/find-python310.sh) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==24.0
	@echo "Installing the $$(grep -c '==' requirements.lock) pinned packages of requirements.lock (about 4 minutes the first time)..."
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(SPACY_PIPELINE): data/vocabulary.yml bot/nlp/*.py $(INSTALLED)
	$(PY) -m bot build-spacy

$(KNOWLEDGE_BASE): $(GUIDES) $(SPACY_PIPELINE) bot/knowledge/*.py
	$(PY) -m bot build-kb
	@touch $@

# The adapted real questions (tests/nlu/real/adapted) become training examples through this command only.
data/nlu/adapted_questions.yml: $(wildcard tests/nlu/real/adapted/*.yml) tests/nlu/real/heldout.yml $(INSTALLED)
	$(PY) -m bot build-adapted --quiet

$(MODEL): $(TRAINING_INPUTS)
	@echo "Training the Rasa model (about a minute)..."
	$(RASA) train --fixed-model-name mesotherapy --out models --quiet
	@touch $@

# The website widget's socket.io client: socket.io-client v4 pinned in widget/package-lock.json.
$(WIDGET_CLIENT): widget/package.json widget/package-lock.json
	cd widget && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(@D) && cp widget/node_modules/socket.io-client/dist/socket.io.min.js $@
	@touch $@

spacy: $(SPACY_PIPELINE)  ## build our spaCy pipeline
kb: $(KNOWLEDGE_BASE)  ## build the knowledge base from data/guide
train: $(MODEL)  ## train the Rasa model
widget: $(WIDGET_CLIENT)  ## vendor socket.io-client for the website widget (npm ci)
chromium:  ## install Debian's Chromium for the browser tests, when it is missing
	@[ -x $(CHROMIUM) ] || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
# The production layout (deploy/): nginx and supervisord, Debian's packages.
cluster-tools:  ## install Debian's nginx and supervisor for make cluster and its tests, when missing
	@{ command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null && { command -v supervisord || [ -x /usr/bin/supervisord ]; } >/dev/null || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx supervisor; }
cluster: setup cluster-tools  ## nginx + REPLICAS Rasa replicas (2) + action server under supervisord, PostgreSQL and Redis; Ctrl-C stops
	deploy/cluster.sh
setup: $(INSTALLED) $(SPACY_PIPELINE) $(KNOWLEDGE_BASE) $(MODEL) $(WIDGET_CLIENT)  ## install, build and train what changed

run: setup  ## set up, start the servers and chat (terminal and REST)
	scripts/serve.sh

test: setup lint test-unit test-servers test-browser validate test-conversations evaluate-nlu evaluate-real  ## set up and run every test

LINT_PATHS := bot actions connectors
lint: $(INSTALLED)  ## ruff check, ruff format --check, mypy and the import contracts (pyproject.toml)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# pytest markers (pyproject.toml, tests/conftest.py): unit | servers | browser (and slow).
test-unit: $(INSTALLED)  ## pytest: fast in-process tests (SQLite, PostgreSQL), no server, model, browser or slow test
	$(PY) -m pytest -q -m "unit and not slow"

test-servers: setup cluster-tools  ## pytest: the real servers, rasa commands, channels, deploy, evaluation, slow tests
	$(PY) -m pytest -q -m "(servers or slow) and not browser"

test-browser: setup chromium  ## pytest: the website widget in Chromium against the real servers
	$(PY) -m pytest -q -m browser

validate: $(INSTALLED)  ## check training data and domain (warnings are errors), duplicates and held-out leaks
	$(RASA) data validate --fail-on-warnings --quiet
	$(PY) -m bot lint-data

# Questions end to end (the NLU's intent and entities for each message, then the action); the handoff form
# on the annotated intents (a name or a phone number has no intent worth asserting).
test-conversations: $(MODEL)  ## conversation tests against the real action server: questions end to end, the handoff form
	scripts/with-action-server.sh $(RASA) test core --model $(MODEL) --stories tests/conversations/questions --e2e \
	  --fail-on-prediction-errors --out reports/conversations/questions
	scripts/with-action-server.sh $(RASA) test core --model $(MODEL) --stories tests/conversations/forms \
	  --fail-on-prediction-errors --out reports/conversations/forms

evaluate-nlu: $(MODEL)  ## held-out NLU evaluation with an intent F1 floor
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu/holdout.yml --out reports/nlu --quiet
	$(PY) -m bot check-floor reports/nlu/intent_report.json

# The real visitors' questions (tests/nlu/real/heldout.yml) asked over HTTP to servers of their own
# ports; the floors are the settings' (MESO_REAL_TOPIC_FLOOR, MESO_REAL_SAFETY_LINE_FLOOR, MESO_REAL_OFF_TOPIC_FLOOR).
REAL_RASA_PORT := 5275
REAL_ACTION_PORT := 5285
evaluate-real: setup  ## real visitors' questions over HTTP: topic, content, safety line, off topic (reports/real-questions)
	RASA_PORT=$(REAL_RASA_PORT) ACTION_PORT=$(REAL_ACTION_PORT) $(PY) -m bot with-servers \
	  --conversations reports/real-questions/conversations.db -- \
	  $(PY) -m bot evaluate-real --url http://127.0.0.1:$(REAL_RASA_PORT) --out reports/real-questions

# A second measure on the real questions' training half (703 questions): folds by source page, one
# model trained per fold without its questions (nor the adapted questions from its pages). About 6 minutes.
cross-validate-real: setup  ## train and test one model per fold of the real training half, folds by page (reports/real-folds)
	$(PY) -m bot cross-validate-real --out reports/real-folds

evaluate: $(MODEL)  ## held-out + 5-fold + conversation tests, report in reports/evaluation, compared with the live model; then evaluate-real
	@status=0; $(PY) -m bot evaluate --model $(MODEL) --out reports/evaluation --quiet || status=1; \
	$(MAKE) --no-print-directory evaluate-real || status=1; exit $$status

review-inbox: $(INSTALLED)  ## write the messages not understood well, grouped, to label (reports/review-inbox.yml)
	$(PY) -m bot review-inbox $(if $(ENDPOINTS),--endpoints $(ENDPOINTS)) $(if $(SINCE),--since $(SINCE))

merge-labels: $(INSTALLED)  ## add the labelled entries of reports/review-inbox.yml to data/nlu
	$(PY) -m bot merge-labels $(or $(LABELS),reports/review-inbox.yml)

deploy: $(MODEL)  ## load the trained model into the running server (no restart) and record it as live
	$(PY) -m bot deploy-model

benchmark: setup cluster-tools  ## measure cold start, latency, throughput, CPU per message, memory, training time; the cluster with 1 and 2 replicas
	$(PY) -m bot benchmark

profile: setup  ## sample both servers under 16 visitors with py-spy (reports/profile/), print the top costs
	$(PY) -m bot profile

clean:  ## remove what the commands built (not the virtual environment)
	rm -rf build var models/*.tar.gz reports results
