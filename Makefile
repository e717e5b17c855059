# Entry points. `make run` and `make test` are the two commands of the README.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= data/backorder.db
LISTEN     ?= 127.0.0.1:8080

.PHONY: setup build run test test-fast bench clean

setup:
	@bash scripts/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(ASAN_BUILD)/build.ninja:
	CC=clang meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug

run: build
	@mkdir -p $(dir $(DB))
	$(BUILD)/backorder serve --db $(DB) --listen $(LISTEN) --demo

# Every test, under gcc (optimised) and then clang with ASan + UBSan.
test: build $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	meson test -C $(BUILD) --print-errorlogs --verbose
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs --verbose --timeout-multiplier 3

test-fast: build
	meson test -C $(BUILD) --print-errorlogs --verbose

bench: setup
	bash bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-bench
