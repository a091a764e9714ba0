# Two commands: `make run` serves rpad on 127.0.0.1:8000, `make test` runs every test.
# Both install missing Debian packages first (scripts/install-deps).
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc)
RELEASE := build/release
ASAN := build/asan
DB ?= .rpad/rpad.db
LISTEN ?= 127.0.0.1:8000

.PHONY: all deps release asan run test bench format clean

all: release

deps:
	@scripts/install-deps

release: deps
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	@cmake --build $(RELEASE) -j $(JOBS)

# -O2 like Release, so the optimiser's warnings (-Werror) show in CI too, plus ASan+UBSan.
asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRPA_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# The first run creates .rpad/, migrates the database and prints the admin password once;
# later runs reuse both.
run: release
	@mkdir -p $(dir $(DB))
	@[ -f $(DB) ] || $(RELEASE)/daemon/rpad init --db $(DB)
	@exec $(RELEASE)/daemon/rpad serve --listen $(LISTEN) --db $(DB)

test: asan
	@cd $(ASAN) && ctest -j 2 --output-on-failure --timeout 300

bench: release
	@bench/run

format:
	@scripts/check-format --fix

clean:
	rm -rf build
