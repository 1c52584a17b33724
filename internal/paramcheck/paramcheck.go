// Package paramcheck applies the client-side parameter validation botocore
// makes before it sends a request (validate.py): each parameter given is
// checked against its model's "min" (a string's, list's or blob's length,
// an integer's value; never "max" or "pattern"), required parameters must
// be there, and a violation is a ParamValidationError with botocore's
// message; nothing is sent. The constraints are generated from the
// installed botocore's service models (gen.go) for every operation
// credchain calls.
package paramcheck

//go:generate go run gen.go

import (
	"fmt"
	"strings"

	"github.com/credchain/credchain/creds"
)

// Kind says what Min bounds.
type Kind int

// Kinds.
const (
	Length Kind = iota // a string's, list's or blob's length
	Value              // an integer's value
)

// NoMin marks a parameter without a minimum.
const NoMin = -1 << 62

// Param is one input member's constraint.
type Param struct {
	Name     string
	Kind     Kind
	Min      int64
	Required bool
}

// KindParamValidation is botocore's exception for a failed check.
const KindParamValidation = "ParamValidationError"

// Check validates the parameters of op ("sts.AssumeRole") that are set:
// strings (length) and int64 values (value). Absent parameters are nil or
// missing from params.
func Check(op string, params map[string]any) error {
	spec, ok := operations[op]
	if !ok {
		return fmt.Errorf("paramcheck: unknown operation %s", op)
	}
	var report []string
	for _, p := range spec {
		v, ok := params[p.Name]
		if !ok || v == nil {
			if p.Required {
				report = append(report, fmt.Sprintf("Missing required parameter in input: %q", p.Name))
			}
			continue
		}
		if p.Min == NoMin {
			continue
		}
		switch x := v.(type) {
		case string:
			if n := int64(len([]rune(x))); n < p.Min {
				report = append(report, fmt.Sprintf("Invalid length for parameter %s, value: %d, valid min length: %d", p.Name, n, p.Min))
			}
		case int64:
			if x < p.Min {
				report = append(report, fmt.Sprintf("Invalid value for parameter %s, value: %d, valid min value: %d", p.Name, x, p.Min))
			}
		}
	}
	if len(report) == 0 {
		return nil
	}
	return creds.Errorf(KindParamValidation, "Parameter validation failed:\n%s", strings.Join(report, "\n"))
}
