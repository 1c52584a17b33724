package awsconfig

import "testing"

func TestIsCredentialSource(t *testing.T) {
	for name, want := range map[string]bool{"Environment": true, "Ec2InstanceMetadata": true, "EcsContainer": true, "environment": false, "": false} {
		if IsCredentialSource(name) != want {
			t.Errorf("IsCredentialSource(%q) != %v", name, want)
		}
	}
}
