//go:build linux

package v4l2

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fakeKernel answers like the kernel would for a set of device nodes.
type fakeKernel struct {
	nodes    map[string]*fakeDevice // nil: listed by videoNodes, gone at open
	nodesErr error

	mu      sync.Mutex
	openFDs int      // descriptors open now
	setCtrl []string // the VIDIOC_S_CTRL calls, as "path hflip=1"
}

// fakeDevice is one device node as its driver would answer.
type fakeDevice struct {
	openErr            error // e.g. EBUSY, EACCES: open fails
	notV4L2            bool  // not a V4L2 device: every ioctl fails with ENOTTY
	driver, card, bus  string
	caps, deviceCaps   uint32 // deviceCaps 0: the driver does not report them
	formats            []fakeFormat
	ctrls              map[uint32]*fakeCtrl // by CID
	enumFmtErr         error                // what VIDIOC_ENUM_FMT fails with at index enumFmtErrAt
	enumFmtErrAt       uint32
	noFramesizesIoctls bool // VIDIOC_ENUM_FRAMESIZES not implemented: ENOTTY
}

type fakeFormat struct {
	fourcc, desc string
	flags        uint32
	discrete     []Size
	stepwise     *[6]uint32 // min_width, max_width, step_width, min_height, max_height, step_height
}

type fakeCtrl struct {
	flags  uint32
	value  int32
	setErr error // what VIDIOC_S_CTRL fails with, e.g. EBUSY when grabbed
}

func (k *fakeKernel) videoNodes() ([]string, error) {
	var paths []string
	for p := range k.nodes {
		paths = append(paths, p)
	}
	return paths, k.nodesErr
}

func (k *fakeKernel) open(path string) (node, error) {
	d := k.nodes[path]
	if d == nil { // unplugged since videoNodes
		return nil, unix.ENOENT
	}
	if d.openErr != nil {
		return nil, d.openErr
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.openFDs++
	return &fakeNode{k: k, path: path, d: d}, nil
}

// openNow returns how many descriptors are open.
func (k *fakeKernel) openNow() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.openFDs
}

type fakeNode struct {
	k      *fakeKernel
	path   string
	d      *fakeDevice
	closed bool
}

func (n *fakeNode) close() error {
	if n.closed {
		return unix.EBADF
	}
	n.closed = true
	n.k.mu.Lock()
	defer n.k.mu.Unlock()
	n.k.openFDs--
	return nil
}

func (n *fakeNode) ioctl(req uintptr, arg unsafe.Pointer) error {
	if n.closed {
		return unix.EBADF
	}
	d := n.d
	if d.notV4L2 {
		return unix.ENOTTY
	}
	switch req {
	case vidiocQuerycap:
		c := (*capability)(arg)
		*c = capability{capabilities: d.caps}
		copy(c.driver[:len(c.driver)-1], d.driver)
		copy(c.card[:len(c.card)-1], d.card)
		copy(c.busInfo[:len(c.busInfo)-1], d.bus)
		if d.deviceCaps != 0 {
			c.capabilities |= capDeviceCaps
			c.deviceCaps = d.deviceCaps
		}
		return nil

	case vidiocEnumFmt:
		f := (*fmtdesc)(arg)
		if d.enumFmtErr != nil && f.index == d.enumFmtErrAt {
			return d.enumFmtErr
		}
		if f.typ != bufTypeVideoCapture || f.mbusCode != 0 || int(f.index) >= len(d.formats) {
			return unix.EINVAL
		}
		ff := d.formats[f.index]
		*f = fmtdesc{index: f.index, typ: f.typ, flags: ff.flags, pixelFormat: pixelFormat(ff.fourcc)}
		copy(f.description[:len(f.description)-1], ff.desc)
		return nil

	case vidiocEnumFramesizes:
		if d.noFramesizesIoctls {
			return unix.ENOTTY
		}
		e := (*frmsizeenum)(arg)
		var ff *fakeFormat
		for i := range d.formats {
			if pixelFormat(d.formats[i].fourcc) == e.pixelFormat {
				ff = &d.formats[i]
			}
		}
		switch {
		case ff == nil:
			return unix.EINVAL
		case ff.stepwise != nil:
			if e.index != 0 {
				return unix.EINVAL
			}
			e.typ, e.size = frmsizeStepwise, *ff.stepwise
		case int(e.index) < len(ff.discrete):
			s := ff.discrete[e.index]
			e.typ, e.size = frmsizeDiscrete, [6]uint32{uint32(s.Width), uint32(s.Height)}
		default:
			return unix.EINVAL
		}
		return nil

	case vidiocQueryctrl:
		q := (*queryctrl)(arg)
		c, ok := d.ctrls[q.id]
		if !ok {
			return unix.EINVAL
		}
		*q = queryctrl{id: q.id, typ: 2 /* boolean */, minimum: 0, maximum: 1, step: 1, flags: c.flags}
		return nil

	case vidiocSCtrl:
		s := (*control)(arg)
		c, ok := d.ctrls[s.id]
		switch {
		case !ok || c.flags&ctrlFlagDisabled != 0:
			return unix.EINVAL
		case c.flags&ctrlFlagReadOnly != 0:
			return unix.EACCES
		case c.setErr != nil:
			return c.setErr
		case s.value < 0 || s.value > 1:
			return unix.ERANGE
		}
		c.value = s.value
		n.k.mu.Lock()
		n.k.setCtrl = append(n.k.setCtrl, n.path+" "+controlName(s.id)+"="+string('0'+byte(s.value)))
		n.k.mu.Unlock()
		return nil
	}
	return unix.ENOTTY
}

// pixelFormat is v4l2_fourcc: the four characters, little-endian.
func pixelFormat(fourcc string) uint32 {
	return uint32(fourcc[0]) | uint32(fourcc[1])<<8 | uint32(fourcc[2])<<16 | uint32(fourcc[3])<<24
}

// Capabilities as real drivers report them.
const (
	capStreaming = 0x04000000
	capReadWrite = 0x01000000
	capExtPix    = 0x00200000
)

// c920 is a Logitech HD Pro Webcam C920 on uvcvideo: its video node.
func c920() *fakeDevice {
	return &fakeDevice{
		driver: "uvcvideo", card: "HD Pro Webcam C920", bus: "usb-0000:01:00.0-1.2",
		caps:       capVideoCapture | capMetaCapture | capStreaming | capExtPix,
		deviceCaps: capVideoCapture | capStreaming | capExtPix,
		formats: []fakeFormat{
			{fourcc: "YUYV", desc: "YUYV 4:2:2", discrete: []Size{{640, 480}, {160, 90}, {320, 240}, {1280, 720}, {1920, 1080}}},
			{fourcc: "MJPG", desc: "Motion-JPEG", flags: fmtFlagCompressed, discrete: []Size{{640, 480}, {800, 600}, {1280, 720}, {1920, 1080}}},
		},
	}
}

// c920Meta is the C920's second node, UVC metadata.
func c920Meta() *fakeDevice {
	d := c920()
	d.deviceCaps, d.formats = capMetaCapture|capStreaming|capExtPix, nil
	return d
}

// unicam is the Raspberry Pi's CSI-2 receiver with an imx219 (Camera
// Module 2): capture, raw Bayer only; the sensor's flips show through.
func unicam() *fakeDevice {
	return &fakeDevice{
		driver: "unicam", card: "unicam", bus: "platform:fe801000.csi",
		caps:       capVideoCapture | capMetaCapture | capReadWrite | capStreaming | capExtPix,
		deviceCaps: capVideoCapture | capReadWrite | capStreaming | capExtPix,
		formats: []fakeFormat{
			{fourcc: "pRAA", desc: "10-bit Bayer RGRG/GBGB Packed", discrete: []Size{{3280, 2464}, {1920, 1080}, {1640, 1232}, {640, 480}}},
			{fourcc: "RG10", desc: "10-bit Bayer RGRG/GBGB", discrete: []Size{{3280, 2464}, {1920, 1080}, {1640, 1232}, {640, 480}}},
		},
		ctrls: map[uint32]*fakeCtrl{cidHFlip: {}, cidVFlip: {}},
	}
}

// unicamEmbedded is unicam's embedded-data node.
func unicamEmbedded() *fakeDevice {
	d := unicam()
	d.card, d.deviceCaps, d.formats, d.ctrls = "unicam-embedded", capMetaCapture|capReadWrite|capStreaming|capExtPix, nil, nil
	return d
}

// codec is a bcm2835-codec memory-to-memory node: it answers
// VIDIOC_ENUM_FMT on its capture queue like a camera would, but must be
// left out.
func codec(card string) *fakeDevice {
	return &fakeDevice{
		driver: "bcm2835-codec", card: card, bus: "platform:bcm2835-codec",
		caps:       capVideoM2M | capStreaming | capExtPix,
		deviceCaps: capVideoM2M | capStreaming | capExtPix,
		formats:    []fakeFormat{{fourcc: "YU12", desc: "Planar YUV 4:2:0", discrete: []Size{{1920, 1080}}}},
	}
}

// mmal is the legacy Pi camera driver (bcm2835-v4l2): any size from
// 32x32 to 3280x2464 in steps of 2, JPEG among its formats, writable flips.
func mmal() *fakeDevice {
	steps := &[6]uint32{32, 3280, 2, 32, 2464, 2}
	return &fakeDevice{
		driver: "bm2835 mmal", card: "mmal service 16.1", bus: "platform:bcm2835-v4l2-0",
		caps:       capVideoCapture | capReadWrite | capStreaming | 0x00000004, // and overlay
		deviceCaps: capVideoCapture | capReadWrite | capStreaming | 0x00000004,
		formats: []fakeFormat{
			{fourcc: "YU12", desc: "Planar YUV 4:2:0", stepwise: steps},
			{fourcc: "JPEG", desc: "JFIF JPEG", flags: fmtFlagCompressed, stepwise: steps},
			{fourcc: "H264", desc: "H.264", flags: fmtFlagCompressed, stepwise: steps},
		},
		ctrls: map[uint32]*fakeCtrl{cidHFlip: {}, cidVFlip: {}},
	}
}
