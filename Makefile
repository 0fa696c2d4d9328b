# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
RELEASE_DIR := build/release
TEST_DIR := build/asan
FUZZ_DIR := build/fuzz
TSAN_DIR := build/tsan
FUZZ_RUNS ?= 5000
GO_DIR := build/go
# Warnings are errors in the CI builds (CI=true, which .ci/run sets) of the ASan and fuzz dirs;
# WERROR=ON or OFF overrides. Once set, a build dir keeps it (switching rebuilds everything).
WERROR ?= $(if $(filter true,$(CI)),ON,)
# Set EDGEVPN_WERROR in build dir $(1) when WERROR asks for a value it does not have yet.
werror = $(if $(WERROR),grep -qx 'EDGEVPN_WERROR:BOOL=$(WERROR)' $(1)/CMakeCache.txt || \
  cmake -DEDGEVPN_WERROR=$(WERROR) $(1) >/dev/null)

.PHONY: all deps build build-test build-fuzz build-tsan go-peers test tsan unit fuzz-smoke fuzz demo bench bench-vpn bench-idle format check-format tidy clean

all: build

deps:
	@scripts/install-deps.sh

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGEVPN_TESTS=OFF

$(TEST_DIR)/build.ninja:
	cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEDGEVPN_SANITIZE=ON \
	  -DEDGEVPN_WERROR=$(or $(WERROR),OFF) -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g"

$(FUZZ_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DEDGEVPN_FUZZ=ON -DEDGEVPN_TESTS=OFF -DEDGEVPN_WERROR=$(or $(WERROR),OFF) \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g"

$(TSAN_DIR)/build.ninja:
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEDGEVPN_TSAN=ON \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g"

build: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS)

build-test: deps $(TEST_DIR)/build.ninja
	$(call werror,$(TEST_DIR))
	cmake --build $(TEST_DIR) -j $(JOBS)

build-fuzz: deps $(FUZZ_DIR)/build.ninja
	$(call werror,$(FUZZ_DIR))
	cmake --build $(FUZZ_DIR) -j $(JOBS)

build-tsan: deps $(TSAN_DIR)/build.ninja
	cmake --build $(TSAN_DIR) -j $(JOBS)

# The pinned Go EdgeVPN (tests/interop/go) that the mixed-network tests and benchmarks run.
go-peers: deps
	scripts/build-go-edgevpn.sh $(GO_DIR)

# Unit, interop and end-to-end tests (ASan/UBSan build), then a fixed-length fuzz smoke run.
test: build-test build-fuzz go-peers
	scripts/run-tests.sh $(TEST_DIR) $(FUZZ_DIR) $(FUZZ_RUNS)

# Unit and interop tests under ThreadSanitizer (GCC), outside `make test` (scripts/run-tsan.sh).
tsan: build-tsan
	scripts/run-tsan.sh $(TSAN_DIR)

fuzz-smoke: build-fuzz
	scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_RUNS)

# Longer fuzzing, outside `make test`.
fuzz: build-fuzz
	scripts/fuzz.sh $(FUZZ_DIR) 2000000

demo: build
	scripts/demo.sh $(RELEASE_DIR)/edgevpn
	scripts/demo-vpn.sh $(RELEASE_DIR)/edgevpn

bench: build
	bench/run.sh $(RELEASE_DIR)

# VPN throughput and latency against raw veth and peer VPNs (root; installs the peers).
bench-vpn: build
	bench/install-peers.sh
	bench/vpn.sh $(RELEASE_DIR)

# Idle control traffic per node and write propagation, ours vs EdgeVPN's schedule (root).
bench-idle: build
	bench/idle_traffic.sh $(RELEASE_DIR)/edgevpn

# Formats the C++ lines changed since .ci/format-base (not whole files: the installed
# clang-format would reflow older code); check-format is the CI gate.
format:
	git clang-format --extensions c,cc,cpp,h,hpp $$(sed -n 1p .ci/format-base | cut -c1-40) -- src tests bench

check-format: deps
	scripts/check-format.sh

tidy: $(TEST_DIR)/build.ninja
	git ls-files 'src/*.cpp' | xargs clang-tidy -p $(TEST_DIR) --quiet

clean:
	rm -rf build
