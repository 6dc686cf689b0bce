package httpstream

import (
	"net"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestURLs(t *testing.T) {
	host, _ := os.Hostname()
	for _, tc := range []struct {
		addr          *net.TCPAddr
		scheme, token string
		want          []string // exactly, or (when all) among the URLs
		all           bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http", "", []string{"http://127.0.0.1:8080/"}, false},
		{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 5), Port: 443}, "https", "tok-0123456789abcdef", []string{"https://192.168.1.5:443/?token=tok-0123456789abcdef"}, false},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 8080}, "http", "", []string{"http://[::1]:8080/"}, false},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http", "t0123456789abcdef", []string{
			"http://" + host + ".local:8080/?token=t0123456789abcdef", "http://localhost:8080/?token=t0123456789abcdef",
		}, true},
	} {
		got := URLs(tc.addr, tc.scheme, tc.token)
		if !tc.all && !slices.Equal(got, tc.want) {
			t.Errorf("URLs(%v, %s) = %v, want %v", tc.addr, tc.scheme, got, tc.want)
		}
		for _, w := range tc.want {
			if tc.all && !slices.Contains(got, w) {
				t.Errorf("URLs(%v) = %v, lacks %s", tc.addr, got, w)
			}
		}
		for _, u := range got {
			if strings.Contains(u, "127.0.0.1") && tc.addr.IP.IsUnspecified() {
				t.Errorf("URLs(%v) offers a loopback address: %s", tc.addr, u)
			}
		}
	}
}
