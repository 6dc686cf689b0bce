package rpicam

import (
	"slices"
	"strings"
	"testing"
)

func TestArgs(t *testing.T) {
	base := strings.Fields("-t 0 -n --codec mjpeg --width 640 --height 480 --framerate 30 --quality 80 -o -")
	o := Options{Width: 640, Height: 480, FPS: 30, Quality: 80}
	with := func(f func(*Options)) Options { c := o; f(&c); return c }
	tests := []struct {
		name string
		o    Options
		want []string
	}{
		{"defaults", o, base},
		{"camera 0 is implied", with(func(o *Options) { o.Camera = 0 }), base},
		{"camera 1", with(func(o *Options) { o.Camera = 1 }), append(slices.Clone(base), "--camera", "1")},
		{"rotation 0 is implied", with(func(o *Options) { o.Rotation = 0 }), base},
		{"rotation 180", with(func(o *Options) { o.Rotation = 180 }), append(slices.Clone(base), "--rotation", "180")},
		{"hflip", with(func(o *Options) { o.HFlip = true }), append(slices.Clone(base), "--hflip")},
		{"vflip", with(func(o *Options) { o.VFlip = true }), append(slices.Clone(base), "--vflip")},
		{"continuous autofocus", with(func(o *Options) { o.Autofocus = "continuous" }), append(slices.Clone(base), "--autofocus-mode", "continuous")},
		{"fixed at infinity", with(func(o *Options) { o.Autofocus = "manual" }), append(slices.Clone(base), "--autofocus-mode", "manual", "--lens-position", "0")},
		{"fixed at 40cm", with(func(o *Options) { o.Autofocus, o.LensPosition = "manual", 2.5 }), append(slices.Clone(base), "--autofocus-mode", "manual", "--lens-position", "2.5")},
		{"a lens position without fixed focus is not passed", with(func(o *Options) { o.LensPosition = 2.5 }), base},
		{"everything", Options{Camera: 2, Width: 1920, Height: 1080, FPS: 15, Quality: 95, Rotation: 180, HFlip: true, VFlip: true},
			strings.Fields("-t 0 -n --codec mjpeg --width 1920 --height 1080 --framerate 15 --quality 95 -o - --camera 2 --rotation 180 --hflip --vflip")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Args(tt.o); !slices.Equal(got, tt.want) {
				t.Errorf("Args(%+v)\n got %q\nwant %q", tt.o, got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := Options{Width: 640, Height: 480, FPS: 30, Quality: 80}
	with := func(f func(*Options)) Options { c := ok; f(&c); return c }
	tests := []struct {
		name    string
		o       Options
		wantErr string // "" for valid
	}{
		{"valid", ok, ""},
		{"valid with everything", with(func(o *Options) { o.Camera, o.Rotation, o.HFlip, o.VFlip = 1, 180, true, true }), ""},
		{"quality 1", with(func(o *Options) { o.Quality = 1 }), ""},
		{"quality 100", with(func(o *Options) { o.Quality = 100 }), ""},
		{"negative camera", with(func(o *Options) { o.Camera = -1 }), "camera index -1"},
		{"no width", with(func(o *Options) { o.Width = 0 }), "size 0x480"},
		{"no height", with(func(o *Options) { o.Height = -2 }), "size 640x-2"},
		{"no fps", with(func(o *Options) { o.FPS = 0 }), "frame rate 0"},
		{"quality 0", with(func(o *Options) { o.Quality = 0 }), "quality 0"},
		{"quality 101", with(func(o *Options) { o.Quality = 101 }), "quality 101"},
		{"rotation 90", with(func(o *Options) { o.Rotation = 90 }), "rotation 90"},
		{"fixed focus", with(func(o *Options) { o.Autofocus, o.LensPosition = "manual", 4 }), ""},
		{"unknown autofocus mode", with(func(o *Options) { o.Autofocus = "auto" }), `autofocus mode "auto"`},
		{"negative lens position", with(func(o *Options) { o.Autofocus, o.LensPosition = "manual", -1 }), "lens position -1"},
		{"zero value", Options{}, "size 0x0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
