// Package tools pins amazon-ec2-metadata-mock, the instance metadata
// service credchain's tests run against (built by imds_aemm_test.go).
//go:build tools

package tools

import _ "github.com/aws/amazon-ec2-metadata-mock/cmd"
