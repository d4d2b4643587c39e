# The newcomer's commands: `make demo` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SOURCES := $(shell find cpp python -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.py' \)) CMakeLists.txt pyproject.toml

.PHONY: deps venv install reference test demo bench lint clean

# Debian's OpenCV C++ (core + imgproc) when missing.
deps:
	@if [ ! -f /usr/include/opencv4/opencv2/imgproc.hpp ]; then \
		echo "installing libopencv-imgproc-dev"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopencv-imgproc-dev; \
	fi

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

venv: $(VENV)/bin/activate

# Rebuilt only when a source changed; scikit-build-core keeps its build tree under build/.
$(VENV)/.installed: $(SOURCES) | deps venv
	$(PIP) install -q ".[test]"
	@touch $@

install: $(VENV)/.installed

# The behaviour reference for the differential tests: albumentationsx 2.5.1 (it imports torch).
# A failure here only makes those tests skip.
$(VENV)/.reference: | venv
	@$(PIP) install -q torch==2.13.0 albumentationsx==2.5.1 opencv-python-headless \
		&& touch $@ || echo "albumentationsx could not be installed: differential tests will be skipped"

reference: $(VENV)/.reference

test: install
	@$(MAKE) --no-print-directory reference
	$(VENV)/bin/ruff check python tests bench examples scripts
	$(PY) -m pytest -q tests

demo: install
	$(PY) examples/demo.py --out demo.png

bench: install
	$(PIP) install -q matplotlib
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check python tests bench examples scripts
	$(VENV)/bin/ruff format --check python tests bench examples scripts

clean:
	rm -rf build $(VENV) demo.png
