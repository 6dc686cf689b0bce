# pistream: `make run` and `make test` install what is missing, then build and
# run or test. See README.md.

# System packages: what pistream builds and runs with, and what its tests use.
RUN_PKGS  := libopencv-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good
TEST_PKGS := chromium tmux openssh-client systemd ffmpeg nginx python3-requests python3-aiohttp
GO        ?= go
BIN       := pistream
ARGS      ?=

.PHONY: run build test bench soak deps test-deps clean

run: build
	./$(BIN) $(ARGS)

build: deps
	$(GO) build -o $(BIN) .

test: deps test-deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

# Benchmarks with targets (viewers, slow viewer, album, render, Live
# sessions). Not part of `make test`: timing on shared machines is noisy.
# BenchmarkLiveSessions counts b.N in seconds: 10x measures 10 s windows.
bench: deps
	$(GO) test -run '^$$' -bench . -skip 'BenchmarkLiveSessions|BenchmarkPathological' -benchtime 150x -timeout 30m ./...
	$(GO) test -run '^$$' -bench BenchmarkPathological -benchtime 3x -timeout 30m ./notes
	$(GO) test -run '^$$' -bench BenchmarkLiveSessions -benchtime 10x -timeout 30m .

# A long soak of the running program (not in `make test`): 50 viewers,
# viewers and SSH sessions coming and going, a snapshot a second; it reports
# RSS, goroutines and descriptors and fails if they grow. SOAK=10m by default.
SOAK ?= 10m
soak: deps test-deps
	$(GO) test -run TestSoak -soak $(SOAK) -timeout 2h -v .

# deps and test-deps install the Debian packages that are not installed yet.
deps:
	@./.ci/apt-install $(RUN_PKGS)

test-deps:
	@./.ci/apt-install $(TEST_PKGS)

clean:
	rm -f $(BIN)
