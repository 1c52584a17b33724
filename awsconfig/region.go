package awsconfig

import (
	"net"
	"net/url"
	"strings"
)

// ValidRegion is botocore's validate_region_name: a valid host label.
func ValidRegion(region string) bool {
	if region == "" || len(region) > 63 || region[0] == '-' || region[len(region)-1] == '-' {
		return region == ""
	}
	digits := true
	for _, c := range region {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
			digits = false
		default:
			return false
		}
	}
	return !digits
}

// ValidEndpointURL is botocore's is_valid_uri: the check of a configured
// endpoint URL when it creates a client (is_valid_endpoint_url or
// is_valid_ipv6_endpoint_url), and of the instance metadata endpoint: no
// tab or line break anywhere, and a host that is DNS labels or an IPv6
// address. botocore raises a raw ValueError ("Invalid endpoint: URL") for
// any other.
func ValidEndpointURL(raw string) bool {
	if strings.ContainsAny(raw, "\t\r\n") {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	host := u.Hostname()
	if strings.HasPrefix(u.Host, "[") || strings.Contains(host, ":") {
		ip := strings.SplitN(host, "%", 2)[0]
		return strings.Contains(ip, ":") && net.ParseIP(ip) != nil
	}
	host = strings.TrimSuffix(host, ".")
	return len(host) <= 255 && validHostname(host)
}

// validHostname is botocore's hostname pattern: dot-separated labels of 1 to
// 63 letters, digits and hyphens, not starting or ending with a hyphen.
// (Hand-written: a package-level regexp costs start-up time.)
func validHostname(h string) bool {
	if h == "" {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
