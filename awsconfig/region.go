package awsconfig

import (
	"net"
	"net/url"
	"regexp"
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

var hostLabels = regexp.MustCompile(`(?i)^((?:[a-z\d]|[a-z\d][a-z\d-]{0,61}[a-z\d])\.)*(?:[a-z\d]|[a-z\d][a-z\d-]{0,61}[a-z\d])$`)

// ValidEndpointURL is botocore's check of a configured endpoint URL when
// it creates a client (is_valid_endpoint_url, is_valid_ipv6_endpoint_url):
// no tab or line break anywhere, and a host that is DNS labels or an IPv6
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
	if strings.HasPrefix(u.Host, "[") {
		return net.ParseIP(host) != nil && strings.Contains(host, ":")
	}
	host = strings.TrimSuffix(host, ".")
	return host != "" && len(host) <= 255 && hostLabels.MatchString(host)
}
