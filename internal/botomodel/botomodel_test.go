package botomodel

import (
	"testing"

	"github.com/credchain/credchain/creds"
)

// TestCheckLikeBotocore: only "min" is checked (length of strings, value of
// integers), dicts are type errors, and the message is botocore's, member
// order included.
func TestCheckLikeBotocore(t *testing.T) {
	// botocore's order is the keyword arguments' (the credential fetcher's:
	// RoleSessionName, ExternalId, SerialNumber, DurationSeconds, RoleArn).
	err := Check("sts.AssumeRole", Arg{"RoleSessionName", "x"}, Arg{"ExternalId", ""}, Arg{"SerialNumber", Dict{Repr: "{'m': 'n'}"}},
		Arg{"DurationSeconds", int64(0)}, Arg{"RoleArn", "arn:aws:iam::123456789012:role/R"})
	want := "Parameter validation failed:\n" +
		"Invalid length for parameter RoleSessionName, value: 1, valid min length: 2\n" +
		"Invalid length for parameter ExternalId, value: 0, valid min length: 2\n" +
		"Invalid type for parameter SerialNumber, value: {'m': 'n'}, type: <class 'dict'>, valid types: <class 'str'>\n" +
		"Invalid value for parameter DurationSeconds, value: 0, valid min value: 900"
	if creds.KindOf(err) != KindParamValidation || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	// No max, no pattern: a long, odd external id passes.
	if err := Check("sts.AssumeRole", Arg{"RoleArn", "arn:aws:iam::123456789012:role/R"}, Arg{"RoleSessionName", "ok"},
		Arg{"ExternalId", string(make([]byte, 5000))}, Arg{"DurationSeconds", int64(999999)}); err != nil {
		t.Errorf("max or pattern checked: %v", err)
	}
	if err := Check("sts.AssumeRoleWithWebIdentity", Arg{"RoleArn", "arn:aws:iam::123456789012:role/R"}, Arg{"RoleSessionName", "ok"}); err == nil || err.Error() != "Parameter validation failed:\nMissing required parameter in input: \"WebIdentityToken\"" {
		t.Errorf("required: %v", err)
	}
	// Lengths are in characters, as Python counts them.
	if err := Check("sts.AssumeRole", Arg{"RoleArn", "arn:aws:iam::123456789012:role/R"}, Arg{"RoleSessionName", "é"}); err == nil {
		t.Error("a one-character session name passed")
	}
}

func TestExceptionName(t *testing.T) {
	for code, want := range map[string]string{"IDPCommunicationError": "IDPCommunicationErrorException", "ExpiredTokenException": "ExpiredTokenException",
		"InvalidIdentityToken": "InvalidIdentityTokenException", "AccessDenied": "ClientError", "Throttling": "ClientError"} {
		if got := ExceptionName("sts", code); got != want {
			t.Errorf("ExceptionName(sts, %s) = %s, want %s", code, got, want)
		}
	}
	if got := ExceptionName("sso", "TooManyRequestsException"); got != "TooManyRequestsException" {
		t.Errorf("sso: %s", got)
	}
}
