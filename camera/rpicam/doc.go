// Package rpicam runs Raspberry Pi OS's rpicam-vid (or, on older releases,
// libcamera-vid) as a child process and cuts the MJPEG byte stream it writes
// to its stdout into single JPEG frames.
//
// rpicam-vid encodes each frame once, in software (libjpeg), so pistream can
// hand its JPEGs to viewers unchanged. The package deals only in bytes: it
// imports no OpenCV, and its tests run with a fake rpicam-vid built from
// testdata/fake-rpicam-vid.
//
// Binary finds the program, List asks it which cameras are connected, Args
// builds its command line and Start runs it: Stream.Next returns one JPEG at
// a time and Stream.Close stops the child. The child runs in a process group
// of its own, which Close (and a cancelled context) kills as a whole; on
// Linux the child is also killed by the kernel if pistream dies first, so a
// crashed pistream never leaves the camera held by an orphan.
//
// The package needs a Unix system; only Linux gets the parent-death signal.
package rpicam
