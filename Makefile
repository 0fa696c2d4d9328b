# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
RELEASE_DIR := build/release
TEST_DIR := build/asan
FUZZ_DIR := build/fuzz
FUZZ_RUNS ?= 5000
GO_DIR := build/go

.PHONY: all deps build build-test build-fuzz go-peers test unit fuzz-smoke fuzz demo bench bench-vpn bench-idle format tidy clean

all: build

deps:
	@scripts/install-deps.sh

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGEVPN_TESTS=OFF

$(TEST_DIR)/build.ninja:
	cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEDGEVPN_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g"

$(FUZZ_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DEDGEVPN_FUZZ=ON -DEDGEVPN_TESTS=OFF -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g"

build: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS)

build-test: deps $(TEST_DIR)/build.ninja
	cmake --build $(TEST_DIR) -j $(JOBS)

build-fuzz: deps $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS)

# The pinned Go EdgeVPN (tests/interop/go) that the mixed-network tests and benchmarks run.
go-peers: deps
	scripts/build-go-edgevpn.sh $(GO_DIR)

# Unit, interop and end-to-end tests (ASan/UBSan build), then a fixed-length fuzz smoke run.
test: build-test build-fuzz go-peers
	scripts/run-tests.sh $(TEST_DIR) $(FUZZ_DIR) $(FUZZ_RUNS)

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

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

tidy: $(TEST_DIR)/build.ninja
	git ls-files 'src/*.cpp' | xargs clang-tidy -p $(TEST_DIR) --quiet

clean:
	rm -rf build
