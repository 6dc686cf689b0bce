// Package packaging holds what makes pistream a Debian package and a
// systemd service: the unit, its user, the commented default config, the
// maintainer scripts (debian/) and the scripts that build the .deb (deb,
// chroot) and try it under emulation (pi-check). It has no Go code of its
// own; its tests build the package for the host through `make deb` and
// check what is in it, and check `make`'s word on a missing or old Go.
package packaging
