package httpstream

import (
	"net"
	"os"
	"strconv"
)

// URLs lists the URLs a browser can open for a server on addr: the
// host's own addresses when it listens on all of them. scheme is http or
// https; a token, when set, is added as ?token= so the URL opens as it is.
func URLs(addr *net.TCPAddr, scheme, token string) []string {
	urls := hostPorts(addr)
	for i, u := range urls {
		urls[i] = scheme + "://" + u + "/"
		if token != "" {
			urls[i] += "?token=" + token
		}
	}
	return urls
}

// LocalName is this machine's name on the local network (mDNS: the host
// name and .local, as Pi OS announces it), or "" when it has none.
func LocalName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h + ".local"
	}
	return ""
}

// hostPorts lists host:port for each address a browser can use.
func hostPorts(addr *net.TCPAddr) []string {
	port := strconv.Itoa(addr.Port)
	if !addr.IP.IsUnspecified() {
		return []string{net.JoinHostPort(addr.IP.String(), port)}
	}
	var urls []string
	if host := LocalName(); host != "" {
		urls = append(urls, net.JoinHostPort(host, port))
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() || ipn.IP.To4() == nil {
			continue
		}
		urls = append(urls, net.JoinHostPort(ipn.IP.String(), port))
	}
	return append(urls, net.JoinHostPort("localhost", port))
}
