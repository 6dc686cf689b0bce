package v4l2

import (
	"fmt"
	"strings"
)

// String formats the device over several lines, as `pistream --list-cameras`
// prints it: a heading with path, name, driver and bus, a line per format,
// then its controls, a line each as `v4l2-ctl -l` prints them (with the
// flips it can do), or the error that stopped the description.
// It has no final newline.
func (d Device) String() string {
	var b strings.Builder
	b.WriteString(d.Path)
	if d.Name != "" || d.Driver != "" {
		fmt.Fprintf(&b, "  %s (%s, %s)", d.Name, d.Driver, d.Bus)
	}
	for _, f := range d.Formats {
		b.WriteString("\n    " + f.String())
	}
	if d.Err != nil {
		b.WriteString("\n    error: " + d.Err.Error())
		return b.String()
	}
	if len(d.Formats) == 0 {
		b.WriteString("\n    no formats")
	}
	b.WriteString("\n    controls (flips: " + d.Controls.String() + "):")
	if len(d.All) == 0 && d.AllErr == nil {
		b.WriteString(" none listed")
	}
	for _, c := range d.All {
		b.WriteString("\n      " + c.String())
	}
	if d.AllErr != nil {
		b.WriteString("\n      listing stopped: " + d.AllErr.Error())
	}
	return b.String()
}

// String formats the control on one line, as `v4l2-ctl -l` does, e.g.
// "focus_absolute (int) min=0 max=250 step=5 default=0 value=30 inactive".
// A bool has no range, a menu no step, a button nothing but its type.
func (c Control) String() string {
	s := fmt.Sprintf("%s (%s)", c.Name, c.Type)
	switch c.Type {
	case TypeButton:
	case TypeBool:
		s += fmt.Sprintf(" default=%d", c.Default)
	case TypeMenu, TypeIntMenu:
		s += fmt.Sprintf(" min=%d max=%d default=%d", c.Min, c.Max, c.Default)
	case TypeBitmask:
		s += fmt.Sprintf(" max=%#08x default=%#08x", c.Max, c.Default)
	default:
		s += fmt.Sprintf(" min=%d max=%d step=%d default=%d", c.Min, c.Max, c.Step, c.Default)
	}
	if c.HasValue {
		s += fmt.Sprintf(" value=%d", c.Value)
	}
	if c.ReadOnly {
		s += " read-only"
	}
	if c.Inactive {
		s += " inactive"
	}
	return s
}

// String formats the format on one line, e.g.
// "MJPG  Motion-JPEG (compressed): 640x480 1280x720", or, stepwise,
// "YU12  Planar YUV 4:2:0: 32x32 to 3280x2464".
func (f Format) String() string {
	s := fmt.Sprintf("%-4s  %s", f.FourCC, f.Description)
	if f.Compressed {
		s += " (compressed)"
	}
	if len(f.Sizes) == 0 {
		return s
	}
	sizes := make([]string, len(f.Sizes))
	for i, z := range f.Sizes {
		sizes[i] = z.String()
	}
	sep := " "
	if f.Stepwise {
		sep = " to "
	}
	return s + ": " + strings.Join(sizes, sep)
}

// String formats the size as e.g. "640x480".
func (s Size) String() string { return fmt.Sprintf("%dx%d", s.Width, s.Height) }

// String lists the flip controls, e.g. "hflip vflip", or "none".
func (c Controls) String() string {
	var s []string
	if c.HFlip {
		s = append(s, "hflip")
	}
	if c.VFlip {
		s = append(s, "vflip")
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}
