package httpstream

import (
	"net"
	"os"
	"strconv"
)

// URLs lists the URLs a browser can open for a server on addr: the
// host's own addresses when it listens on all of them.
func URLs(addr *net.TCPAddr) []string {
	port := strconv.Itoa(addr.Port)
	if !addr.IP.IsUnspecified() {
		return []string{"http://" + net.JoinHostPort(addr.IP.String(), port) + "/"}
	}
	var urls []string
	if host, err := os.Hostname(); err == nil && host != "" {
		urls = append(urls, "http://"+net.JoinHostPort(host+".local", port)+"/")
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() || ipn.IP.To4() == nil {
			continue
		}
		urls = append(urls, "http://"+net.JoinHostPort(ipn.IP.String(), port)+"/")
	}
	return append(urls, "http://"+net.JoinHostPort("localhost", port)+"/")
}
