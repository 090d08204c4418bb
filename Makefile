# Lethe: the two commands a new user needs are `make demo` and `make test`.
SWIFT ?= swift
RELEASE := $(SWIFT) build -c release --scratch-path .build-release
.PHONY: deps build release demo test bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE)

## The main job: trains the CNN on Fashion-MNIST and reports test accuracy per epoch.
demo: release
	.build-release/release/lethe demo

## Every test: Swift's XCTest suites (which also run scripts/lua/tests and examples).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

## Benchmarks (a release build): GEMM against the FMA peak and OpenBLAS, training steps.
bench: deps
	$(RELEASE) --product lethe-bench
	.build-release/release/lethe-bench $(BENCH_ARGS)

clean:
	rm -rf .build .build-release
