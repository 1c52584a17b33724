package awsconfig

import "testing"

// TestValidEndpointURL pins botocore's is_valid_uri outcomes
// (is_valid_endpoint_url or is_valid_ipv6_endpoint_url, checked with
// botocore 1.43.11).
func TestValidEndpointURL(t *testing.T) {
	for u, want := range map[string]bool{
		"http://127.0.0.1:1/x": true, "https://sts.amazonaws.com": true, "http://[::1]:8080/": true,
		"http://a_b.com": false, "http://-a.com": false, "localhost": false, "http://": false, "https://x.y.": true,
		"http://a..b": false, "http://ä.com": false, "http://127.0.0.1:1/x/\nmax_attempts = eu": false, "http://h/x\ty": false,
		"http://[zz]/": false, "http://1.2.3.4:99999": true,
		// The instance metadata endpoint's cases (is_valid_uri).
		"http://169.254.169.254/": true, "http://[fd00:ec2::254]/": true, "http://localhost:1338": true,
		"http://bad host/": false, "not a url": false, "http://a\n/": false, "http://-bad-/": false,
	} {
		if got := ValidEndpointURL(u); got != want {
			t.Errorf("ValidEndpointURL(%q) = %v, want %v", u, got, want)
		}
	}
}
