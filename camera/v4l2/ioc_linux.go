//go:build linux

package v4l2

import (
	"fmt"
	"runtime"
	"unsafe"
)

// The ioctl request numbers, computed the way the _IOR and _IOWR macros of
// linux/ioctl.h compute them: direction, struct size, type 'V', number.
var (
	vidiocQuerycap       = ioc.ior('V', 0, unsafe.Sizeof(capability{}))
	vidiocEnumFmt        = ioc.iowr('V', 2, unsafe.Sizeof(fmtdesc{}))
	vidiocGCtrl          = ioc.iowr('V', 27, unsafe.Sizeof(control{}))
	vidiocSCtrl          = ioc.iowr('V', 28, unsafe.Sizeof(control{}))
	vidiocQueryctrl      = ioc.iowr('V', 36, unsafe.Sizeof(queryctrl{}))
	vidiocEnumFramesizes = ioc.iowr('V', 74, unsafe.Sizeof(frmsizeenum{}))
)

// iocLayout is how an architecture packs an ioctl request number: from bit
// 0, 8 bits of number, 8 of type, sizeBits of size, then the direction.
type iocLayout struct {
	sizeBits    uint
	read, write uintptr
}

var (
	// asmGeneric is asm-generic/ioctl.h's: x86, arm, arm64, riscv64, s390x, loong64.
	asmGeneric = iocLayout{sizeBits: 14, read: 2, write: 1}
	// powerMIPS is arch/{powerpc,mips}/include/uapi/asm/ioctl.h's.
	powerMIPS = iocLayout{sizeBits: 13, read: 2, write: 4}

	ioc = layoutOf(runtime.GOARCH)
)

// layoutOf returns the ioctl layout of a Linux GOARCH.
func layoutOf(goarch string) iocLayout {
	switch goarch {
	case "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le":
		return powerMIPS
	}
	return asmGeneric
}

func (l iocLayout) ior(typ byte, nr uint8, size uintptr) uintptr {
	return l.request(l.read, typ, nr, size)
}

func (l iocLayout) iowr(typ byte, nr uint8, size uintptr) uintptr {
	return l.request(l.read|l.write, typ, nr, size)
}

func (l iocLayout) request(dir uintptr, typ byte, nr uint8, size uintptr) uintptr {
	if size >= 1<<l.sizeBits {
		panic(fmt.Sprintf("v4l2: ioctl argument of %d bytes is too big", size))
	}
	return dir<<(16+l.sizeBits) | size<<16 | uintptr(typ)<<8 | uintptr(nr)
}
