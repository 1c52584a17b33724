package stscreds

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/botomodel"
)

// Tag is an STS session tag.
type Tag struct{ Key, Value string }

// Scope narrows the session of an assumed role with AssumeRole's own
// parameters: an inline session policy, managed session policies, session
// tags (and which of them pass on to chained roles), and a source identity.
// The session's permissions are the role's intersected with the policies.
// The zero Scope narrows nothing.
type Scope struct {
	// Policy is an inline session policy (IAM policy JSON); "" for none.
	Policy string
	// PolicyARNs are managed policies used as session policies.
	PolicyARNs []string
	// Tags are session tags, in order.
	Tags []Tag
	// TransitiveTagKeys are the keys of Tags that pass on to roles
	// assumed with the session.
	TransitiveTagKeys []string
	// SourceIdentity is the identity the session carries; "" for none.
	SourceIdentity string
}

// IsZero reports whether the scope narrows nothing.
func (s Scope) IsZero() bool {
	return s.Policy == "" && len(s.PolicyARNs) == 0 && len(s.Tags) == 0 && len(s.TransitiveTagKeys) == 0 && s.SourceIdentity == ""
}

// Validate checks the scope against the STS model's limits (lengths,
// counts, patterns: what STS refuses, beyond botocore's own checks) before
// any call, naming what to change.
func (s Scope) Validate() error {
	var problems []string
	check := func(err error) {
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	const op = "sts.AssumeRole."
	if s.Policy != "" {
		check(botomodel.CheckString(op+"Policy", "the session policy", s.Policy))
		if !json.Valid([]byte(s.Policy)) {
			problems = append(problems, "the session policy is not JSON (an IAM policy document: {\"Version\": \"2012-10-17\", \"Statement\": [...]})")
		}
	}
	for _, arn := range s.PolicyARNs {
		check(botomodel.CheckString(op+"PolicyArns[].arn", "policy ARN "+arn, arn))
	}
	check(botomodel.CheckCount(op+"Tags", "session tags", len(s.Tags)))
	seen := map[string]bool{}
	for _, t := range s.Tags {
		check(botomodel.CheckString(op+"Tags[].Key", "tag key", t.Key))
		check(botomodel.CheckString(op+"Tags[].Value", "the value of tag "+t.Key, t.Value))
		if seen[t.Key] {
			problems = append(problems, fmt.Sprintf("tag %s is given twice", t.Key))
		}
		seen[t.Key] = true
	}
	check(botomodel.CheckCount(op+"TransitiveTagKeys", "transitive tag keys", len(s.TransitiveTagKeys)))
	for _, k := range s.TransitiveTagKeys {
		check(botomodel.CheckString(op+"TransitiveTagKeys[]", "transitive tag key", k))
		if !seen[k] {
			problems = append(problems, fmt.Sprintf("transitive tag key %s is not one of the session tags", k))
		}
	}
	if s.SourceIdentity != "" {
		check(botomodel.CheckString(op+"SourceIdentity", "the source identity", s.SourceIdentity))
	}
	if len(problems) == 0 {
		return nil
	}
	msg := "Parameter validation failed:"
	for _, p := range problems {
		msg += "\n" + p
	}
	return creds.Errorf(botomodel.KindParamValidation, "%s", msg)
}

// addTo adds the scope's arguments to a cache key's, as boto3's
// sts.assume_role keyword arguments are (botocore hashes them all).
func (s Scope) addTo(args map[string]any) {
	if s.Policy != "" {
		// botocore hashes the policy parsed (its keys sorted).
		var doc any
		dec := json.NewDecoder(strings.NewReader(s.Policy))
		dec.UseNumber()
		if dec.Decode(&doc) == nil {
			args["Policy"] = doc
		} else {
			args["Policy"] = s.Policy
		}
	}
	if len(s.PolicyARNs) > 0 {
		arns := make([]any, len(s.PolicyARNs))
		for i, a := range s.PolicyARNs {
			arns[i] = map[string]any{"arn": a}
		}
		args["PolicyArns"] = arns
	}
	if len(s.Tags) > 0 {
		tags := make([]any, len(s.Tags))
		for i, t := range s.Tags {
			tags[i] = map[string]any{"Key": t.Key, "Value": t.Value}
		}
		args["Tags"] = tags
	}
	if len(s.TransitiveTagKeys) > 0 {
		keys := make([]any, len(s.TransitiveTagKeys))
		for i, k := range s.TransitiveTagKeys {
			keys[i] = k
		}
		args["TransitiveTagKeys"] = keys
	}
	if s.SourceIdentity != "" {
		args["SourceIdentity"] = s.SourceIdentity
	}
}

// input sets the scope's parameters of an AssumeRole request.
func (s Scope) input(in *AssumeRoleInput) {
	if s.Policy != "" {
		p := s.Policy
		in.Policy = &p
	}
	in.PolicyARNs, in.Tags, in.TransitiveTagKeys = s.PolicyARNs, s.Tags, s.TransitiveTagKeys
	if s.SourceIdentity != "" {
		id := s.SourceIdentity
		in.SourceIdentity = &id
	}
}
