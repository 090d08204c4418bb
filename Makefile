# Lethe: the two commands a new user needs are `make demo` and `make test`.
SWIFT ?= swift
RELEASE := $(SWIFT) build -c release --scratch-path .build-release
.PHONY: deps build release demo test fuzz bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE)

## The main job: Fashion-MNIST, the CNN, 1% sample unlearning with five methods, result table and report.
demo: release
	.build-release/release/lethe run scripts/lua/quickstart.lua

## Every test: Swift's XCTest suites (which also run scripts/lua/tests and examples, and the
## cluster tests on a one-node Slurm: installed here, started by the tests through
## scripts/slurm-local.sh and stopped afterwards — here too, should the tests die first), then
## a short fuzz pass over every file parser (Lethe's own mutation driver, FUZZ_SECONDS each;
## docs/fuzzing.md).
FUZZ_SECONDS ?= 3
test: deps
	@bash scripts/install-deps.sh --slurm
	$(SWIFT) build --build-tests
	@running=""; bash scripts/slurm-local.sh status >/dev/null 2>&1 && running=yes; \
	$(SWIFT) test --skip-build --disable-swift-testing; status=$$?; \
	[ -n "$$running" ] || bash scripts/slurm-local.sh stop >/dev/null 2>&1 || true; \
	exit $$status
	@mkdir -p .build/fuzz-findings
	.build/debug/lethe-fuzz run --seconds $(FUZZ_SECONDS) --artifacts .build/fuzz-findings

## A libFuzzer campaign (coverage-guided, release build) on one parser, or all:
## make fuzz FUZZ_TARGET=idx FUZZ_RUNS=10000000 [FUZZ_TIME=seconds] (FUZZ_TARGET=all: each in turn).
FUZZ_TARGET ?= all
FUZZ_RUNS ?= 1000000
FUZZ_TIME ?= 0
fuzz: deps
	$(SWIFT) build -c release --sanitize=fuzzer -Xswiftc -DLETHE_LIBFUZZER --scratch-path .build-fuzz --product lethe-fuzz
	scripts/fuzz.sh $(FUZZ_TARGET) $(FUZZ_RUNS) $(FUZZ_TIME)

## Benchmarks (a release build): GEMM against the FMA peak and OpenBLAS, training steps, data
## loading, then the same CNN training step written in Lua and in Swift, side by side, and one
## SCRUB epoch as a Lua loop and with Core's loop driving (ctx:train with Lua losses).
bench: deps
	$(RELEASE) --product lethe-bench
	$(RELEASE) --product lethe
	.build-release/release/lethe-bench $(BENCH_ARGS)
	.build-release/release/lethe run scripts/lua/examples/train_loop_speed.lua 30
	.build-release/release/lethe run --quiet scripts/lua/examples/scrub_epoch_speed.lua 3

clean:
	rm -rf .build .build-release
