package camera

// captureDevices lists the V4L2 devices that capture video, in order.
func captureDevices() []string { return videoNodes() }

// setDeviceFlips asks a V4L2 device to do what it can of t with its own
// mirroring controls, and returns what it did.
func setDeviceFlips(path string, t Transform) Transform { return Transform{} }
