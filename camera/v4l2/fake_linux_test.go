//go:build linux

package v4l2

import (
	"strconv"
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
	queries int      // VIDIOC_QUERYCTRL calls
	reads   int      // VIDIOC_G_CTRL calls
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
	noNextCtrl         bool // VIDIOC_QUERYCTRL does not take V4L2_CTRL_FLAG_NEXT_CTRL
}

type fakeFormat struct {
	fourcc, desc string
	flags        uint32
	discrete     []Size
	stepwise     *[6]uint32 // min_width, max_width, step_width, min_height, max_height, step_height
}

// fakeCtrl is a control; the zero one is a bool named after its CID's
// flip, if it is one.
type fakeCtrl struct {
	name                string
	typ                 ControlType // 0: TypeBool
	min, max, step, def int32       // all 0: 0, 1, 1, 0
	flags               uint32
	value               int32
	setErr              error  // what VIDIOC_S_CTRL fails with, e.g. EBUSY when grabbed
	getErr              error  // what VIDIOC_G_CTRL fails with
	setActivates        uint32 // setting this control to 0 clears the inactive flag of that one (auto off)
}

// query is what VIDIOC_QUERYCTRL answers for c.
func (c *fakeCtrl) query(id uint32) queryctrl {
	q := queryctrl{id: id, typ: uint32(c.typ), minimum: c.min, maximum: c.max, step: c.step, defaultValue: c.def, flags: c.flags}
	if q.typ == 0 {
		q.typ = uint32(TypeBool)
	}
	if c.min == 0 && c.max == 0 && c.step == 0 {
		q.maximum, q.step = 1, 1
	}
	name := c.name
	switch {
	case name != "":
	case id == cidHFlip:
		name = "Horizontal Flip"
	case id == cidVFlip:
		name = "Vertical Flip"
	}
	copy(q.name[:len(q.name)-1], name)
	return q
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
		n.k.queries++
		q := (*queryctrl)(arg)
		id := q.id
		if id&ctrlFlagNextCtrl != 0 {
			if d.noNextCtrl {
				return unix.EINVAL
			}
			id = d.nextCtrl(id&^(ctrlFlagNextCtrl|ctrlFlagNextCompound), id&ctrlFlagNextCompound != 0)
		}
		c, ok := d.ctrls[id]
		if !ok {
			return unix.EINVAL
		}
		*q = c.query(id)
		return nil

	case vidiocGCtrl:
		n.k.reads++
		g := (*control)(arg)
		c, ok := d.ctrls[g.id]
		switch {
		case !ok || c.flags&ctrlFlagDisabled != 0:
			return unix.EINVAL
		case c.getErr != nil:
			return c.getErr
		}
		g.value = c.value
		return nil

	case vidiocSCtrl:
		s := (*control)(arg)
		c, ok := d.ctrls[s.id]
		if !ok || c.flags&ctrlFlagDisabled != 0 {
			return unix.EINVAL
		}
		q := c.query(s.id)
		switch {
		case c.flags&ctrlFlagReadOnly != 0:
			return unix.EACCES
		case c.setErr != nil:
			return c.setErr
		case s.value < q.minimum || s.value > q.maximum:
			return unix.ERANGE
		}
		if q.step > 1 { // rounded to the step, as v4l2-ctrls does
			s.value = q.minimum + (s.value-q.minimum+q.step/2)/q.step*q.step
		}
		c.value = s.value
		if a := d.ctrls[c.setActivates]; a != nil && s.value == 0 {
			a.flags &^= ctrlFlagInactive
		}
		name := ControlName(cString(q.name[:]))
		if s.id == cidHFlip || s.id == cidVFlip {
			name = controlName(s.id)
		}
		n.k.mu.Lock()
		n.k.setCtrl = append(n.k.setCtrl, n.path+" "+name+"="+strconv.Itoa(int(s.value)))
		n.k.mu.Unlock()
		return nil
	}
	return unix.ENOTTY
}

// nextCtrl returns the smallest CID after id, or 0; a compound control
// only with compound.
func (d *fakeDevice) nextCtrl(id uint32, compound bool) uint32 {
	next := uint32(0)
	for c, fc := range d.ctrls {
		if fc.typ >= TypeU8 && !compound {
			continue
		}
		if c > id && (next == 0 || c < next) {
			next = c
		}
	}
	return next
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
		ctrls: c920Ctrls(),
	}
}

// The C920's controls, as uvcvideo names them on Linux 6.x.
const (
	cidUserClass         = 0x00980001
	cidBrightness        = 0x00980900
	cidAutoWhiteBalance  = 0x0098090c
	cidPowerLineFreq     = 0x00980918
	cidWhiteBalanceTemp  = 0x0098091a
	cidCameraClass       = 0x009a0001
	cidExposureAuto      = 0x009a0901
	cidExposureAbsolute  = 0x009a0902
	cidFocusAbsolute     = 0x009a090a
	cidFocusAuto         = 0x009a090c
	cidZoomAbsolute      = 0x009a090d
	cidPrivacyDisabled   = 0x009a0910 // V4L2_CID_PRIVACY, made disabled here
	cidCameraOrientation = 0x009a0922 // read-only
)

func c920Ctrls() map[uint32]*fakeCtrl {
	return map[uint32]*fakeCtrl{
		cidUserClass:         {name: "User Controls", typ: TypeClass, flags: 0x0044},
		cidBrightness:        {name: "Brightness", typ: TypeInt, max: 255, step: 1, def: 128, value: 128},
		cidAutoWhiteBalance:  {name: "White Balance, Automatic", def: 1, value: 1, setActivates: cidWhiteBalanceTemp},
		cidPowerLineFreq:     {name: "Power Line Frequency", typ: TypeMenu, max: 2, step: 1, def: 2, value: 2},
		cidWhiteBalanceTemp:  {name: "White Balance Temperature", typ: TypeInt, min: 2000, max: 6500, step: 1, def: 4000, value: 4000, flags: ctrlFlagInactive},
		cidCameraClass:       {name: "Camera Controls", typ: TypeClass, flags: 0x0044},
		cidExposureAuto:      {name: "Auto Exposure", typ: TypeMenu, max: 3, step: 1, def: 3, value: 3},
		cidExposureAbsolute:  {name: "Exposure Time, Absolute", typ: TypeInt, min: 3, max: 2047, step: 1, def: 250, value: 250, flags: ctrlFlagInactive},
		cidFocusAbsolute:     {name: "Focus (absolute)", typ: TypeInt, max: 250, step: 5, flags: ctrlFlagInactive},
		cidFocusAuto:         {name: "Focus, Automatic Continuous", def: 1, value: 1, setActivates: cidFocusAbsolute},
		cidZoomAbsolute:      {name: "Zoom, Absolute", typ: TypeInt, min: 100, max: 500, step: 1, def: 100, value: 100},
		cidPrivacyDisabled:   {name: "Privacy", flags: ctrlFlagDisabled},
		cidCameraOrientation: {name: "Camera Orientation", typ: TypeMenu, max: 2, step: 1, flags: ctrlFlagReadOnly},
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
