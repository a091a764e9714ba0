# Two commands: `make run` serves rpad on 127.0.0.1:8000, `make test` runs every test.
# Both install missing Debian packages first (scripts/install-deps).
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc)
RELEASE := build/release
ASAN := build/asan
DB ?= .rpad/rpad.db
LISTEN ?= 127.0.0.1:8000

.PHONY: all deps web release asan run test bench deb fuzz format screenshots clean

all: release

deps:
	@scripts/install-deps

# The dashboard's files (web/dist), compiled into rpad by the C++ build; see scripts/web-build.
web: deps
	@scripts/web-build

release: deps web
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	@cmake --build $(RELEASE) -j $(JOBS)

# One sanitizer build serves the tests and the fuzz targets: clang (a quarter of GCC's compile
# time with ASan at -O2 here), ASan+UBSan, libFuzzer's coverage hooks, -O2 so the optimiser's
# warnings (-Werror) show in CI too, and line tables only, which is all a report needs.
asan: deps web
	@CXX=clang++-14 cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" \
	  -DRPA_SANITIZE=ON -DRPA_FUZZ=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# The first run creates .rpad/, migrates the database and prints the admin password once;
# later runs reuse both.
run: release
	@mkdir -p -m 700 $(dir $(DB))
	@[ -f $(DB) ] || $(RELEASE)/daemon/rpad init --db $(DB)
	@exec $(RELEASE)/daemon/rpad serve --listen $(LISTEN) --db $(DB)

test: asan
	@cd $(ASAN) && ctest -j 2 --output-on-failure --timeout 300

bench: release
	@bench/run

# The Debian package of the Release build: build/rpad_VERSION_ARCH.deb (see README, "Operating rpad").
deb: release
	@cd $(RELEASE) && cpack -G DEB -B $(CURDIR)/build >/dev/null && rm -rf $(CURDIR)/build/_CPack_Packages
	@ls build/rpad_*.deb

# Every fuzz target for FUZZ_SECONDS (default 600) each, two at a time, from its seed corpus;
# the new inputs it finds are kept under tests/fuzz/corpus only when you copy them there.
FUZZ_SECONDS ?= 600
fuzz: asan
	@ls tests/fuzz/corpus | xargs -P 2 -I{} \
	  tests/fuzz/run $(ASAN)/tests/fuzz/{}_fuzz tests/fuzz/corpus/{} $(FUZZ_SECONDS)

# The README's dashboard screenshots, from the browser tests, into docs/screenshots/.
screenshots: asan
	@UPDATE_SCREENSHOTS=1 tests/web/dashboard-e2e $(ASAN)/daemon/rpad $(ASAN)/cli/rpactl screenshots.spec.ts

format:
	@scripts/check-format --fix

clean:
	rm -rf build
