# pistream: `make run` and `make test` install what is missing, then build and
# run or test. See README.md.

# System packages: what pistream builds and runs with, and what its tests use.
RUN_PKGS  := g++ libopencv-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good
TEST_PKGS := chromium tmux openssh-client curl dpkg-dev systemd ffmpeg nginx python3-requests python3-aiohttp
GO        ?= go
BIN       := pistream
ARGS      ?=

.PHONY: run build test bench soak deps test-deps go-check deb pi-check clean

run: build
	./$(BIN) $(ARGS)

build: go-check deps
	$(GO) build -o $(BIN) .

test: go-check deps test-deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

# Benchmarks with targets (viewers, slow viewer, album, render, Live
# sessions, snapshot storm). Not part of `make test`: timing on shared
# machines is noisy. BenchmarkLiveSessions counts b.N in seconds: 10x
# measures 10 s windows; BenchmarkSnapshotStorm too: 5x, a 5 s storm.
# BenchmarkSaveBurst saves 2000 photos an iteration: 1x; BenchmarkCostlyNotes
# opens five costly notes in 8 SSH sessions an iteration: 3x; BenchmarkStop
# starts and stops two pistreams an iteration: 5x; BenchmarkListingsPerPhoto
# waits out the album index's 250 ms throttle a photo: 20x;
# BenchmarkAlbumSessions fills an album of 5,000 photos first: 10x.
bench: go-check deps
	$(GO) test -run '^$$' -bench . -skip 'BenchmarkLiveSessions|BenchmarkPathological|BenchmarkSnapshotStorm|BenchmarkSaveBurst|BenchmarkCostlyNotes|BenchmarkStop|BenchmarkListingsPerPhoto|BenchmarkAlbumSessions' -benchtime 150x -timeout 30m ./...
	$(GO) test -run '^$$' -bench BenchmarkPathological -benchtime 3x -timeout 30m ./notes
	$(GO) test -run '^$$' -bench BenchmarkSaveBurst -benchtime 1x -timeout 30m ./album
	$(GO) test -run '^$$' -bench BenchmarkListingsPerPhoto -benchtime 20x -timeout 30m ./album/index
	$(GO) test -run '^$$' -bench BenchmarkAlbumSessions -benchtime 10x -timeout 30m .
	$(GO) test -run '^$$' -bench BenchmarkLiveSessions -benchtime 10x -timeout 30m .
	$(GO) test -run '^$$' -bench BenchmarkStop -benchtime 5x -timeout 30m .
	$(GO) test -run '^$$' -bench BenchmarkSnapshotStorm -benchtime 5x -timeout 30m .
	$(GO) test -run '^$$' -bench BenchmarkCostlyNotes -benchtime 3x -timeout 30m .

# A long soak of the running program (not in `make test`): 50 viewers,
# viewers and SSH sessions coming and going, a snapshot a second; it reports
# RSS, goroutines and descriptors and fails if they grow. SOAK=10m by default.
SOAK ?= 10m
soak: go-check deps test-deps
	$(GO) test -run TestSoak -soak $(SOAK) -timeout 2h -v .

# The Debian package pistream_$(DEB_VERSION)_$(ARCH).deb, in DEB_DIR. ARCH is
# the host's by default; ARCH=arm64 or ARCH=armhf cross-builds in a Debian
# bookworm chroot kept in $(CHROOT), made on first use (5 to 15 minutes).
VERSION     := 0.1.0
ARCH        ?= $(shell dpkg --print-architecture)
DEB_DIR     ?= .
CHROOT      ?= $(HOME)/.cache/pistream/chroot-bookworm-$(ARCH)
DEB_VERSION ?= $(VERSION)$(shell git rev-parse --short HEAD >/dev/null 2>&1 && echo "+git$$(git rev-list --count HEAD).$$(git rev-parse --short HEAD)")
DEB_VERSION := $(DEB_VERSION)
DEB         := $(DEB_DIR)/pistream_$(DEB_VERSION)_$(ARCH).deb

deb: go-check
	@./.ci/apt-install dpkg-dev $(if $(filter $(ARCH),$(shell dpkg --print-architecture)),libopencv-dev)
	GO=$(GO) ./packaging/deb $(ARCH) $(DEB_VERSION) $(DEB_DIR) $(CHROOT)
	@dpkg-deb --info $(DEB) | sed -n 's/^ Depends:/Depends:/p'

# Installs the package in the chroot of ARCH and runs it there under qemu
# with the test camera: /snapshot must give a JPEG, /state say streaming,
# SIGTERM exit 0; then with the tests' fake rpicam-vid (built for this
# machine: qemu runs the child natively): passed through, --focus in its
# arguments, no child left. Slow (not in `make test`): run it before a
# release.
pi-check: deb
	CGO_ENABLED=0 $(GO) build -o $(DEB_DIR)/fake-rpicam-vid ./camera/rpicam/testdata/fake-rpicam-vid
	FAKE_RPICAM=$(DEB_DIR)/fake-rpicam-vid ./packaging/pi-check $(CHROOT) $(ARCH) $(DEB)

# Stops with the commands that install Go when go is missing or older than
# go.mod asks.
go-check:
	@./.ci/go-check $(GO)

# deps and test-deps install the Debian packages that are not installed yet.
deps:
	@./.ci/apt-install $(RUN_PKGS)

test-deps:
	@./.ci/apt-install $(TEST_PKGS)

clean:
	rm -f $(BIN) pistream_*.deb fake-rpicam-vid
