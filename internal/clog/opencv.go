package clog

// #cgo !windows pkg-config: opencv4
// #cgo CXXFLAGS: --std=c++11
// #include "opencv.h"
import "C"

import (
	"os"

	"charm.land/log/v2"
)

// OpenCV's levels (cv::utils::logging::LogLevel).
const (
	opencvError   = 2
	opencvWarning = 3
	opencvInfo    = 4
	opencvDebug   = 5
)

// setOpenCVLevel sets OpenCV's log level to print what lvl asks for,
// unless the user chose one with OPENCV_LOG_LEVEL. OpenCV reads that
// variable as the process loads it, before pistream could set it: its
// level is set by a call instead.
func setOpenCVLevel(lvl log.Level) {
	if _, set := os.LookupEnv("OPENCV_LOG_LEVEL"); set {
		return
	}
	level := opencvWarning
	switch {
	case lvl <= log.DebugLevel:
		level = opencvDebug
	case lvl <= log.InfoLevel:
		level = opencvInfo
	case lvl >= log.ErrorLevel:
		level = opencvError
	}
	C.pistream_opencv_log_level(C.int(level))
}
