// Package oracle runs botocore, the reference implementation, on scenarios
// for credchain's differential tests.
package oracle

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
)

//go:embed oracle.py
var script string

// Scenario is one configuration to resolve.
type Scenario struct {
	ID       string            `json:"id"`
	Env      map[string]string `json:"env"`
	Profile  *string           `json:"profile"`
	Explicit *Explicit         `json:"explicit,omitempty"`
	// MFACodes answer the MFA prompts, in order.
	MFACodes []string `json:"mfa_codes,omitempty"`
}

// Explicit are boto3.Session keyword arguments; nil fields are None.
type Explicit struct {
	AK        *string `json:"ak"`
	SK        *string `json:"sk"`
	Token     *string `json:"token"`
	AccountID *string `json:"account_id"`
}

// Error is an exception botocore raised.
type Error struct {
	Type     string `json:"type"`
	Botocore bool   `json:"botocore"`
	Message  string `json:"message"`
}

// Result is what botocore resolved for one scenario.
type Result struct {
	ID          string  `json:"id"`
	Method      *string `json:"method"`
	AccessKey   *string `json:"access_key"`
	SecretKey   *string `json:"secret_key"`
	Token       *string `json:"token"`
	AccountID   *string `json:"account_id"`
	Expiry      *string `json:"expiry"`
	Region      *string `json:"region"`
	RegionError *string `json:"region_error"`
	Error       *Error  `json:"error"`
	// Prompts are the MFA prompts botocore showed, in order.
	Prompts []string `json:"prompts"`
	// Profiles is botocore's available_profiles (nil when the files do not
	// parse).
	Profiles []string `json:"profiles"`
}

// Available reports whether python3 with botocore can be run.
func Available() error {
	out, err := exec.Command("python3", "-c", "import botocore, boto3; print(botocore.__version__)").CombinedOutput()
	if err != nil {
		return fmt.Errorf("python3 with botocore and boto3: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// RunParallel resolves the scenarios with botocore in n Python processes
// at once (each scenario is independent: its own files and endpoints).
func RunParallel(scenarios []Scenario, n int) ([]Result, error) {
	n = max(1, min(n, len(scenarios)))
	if n == 1 {
		return Run(scenarios)
	}
	out := make([]Result, len(scenarios))
	errs := make([]error, n)
	var wg sync.WaitGroup
	per := (len(scenarios) + n - 1) / n
	for w := 0; w < n; w++ {
		lo, hi := w*per, min((w+1)*per, len(scenarios))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Run(scenarios[lo:hi])
			if err != nil {
				errs[w] = err
				return
			}
			copy(out[lo:hi], res)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Run resolves every scenario with botocore in one Python process.
func Run(scenarios []Scenario) ([]Result, error) {
	in, err := json.Marshal(scenarios)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("python3", "-c", script)
	// botocore reads some files as text in the locale's encoding (a web
	// identity token): the oracle runs under a UTF-8 locale, as credchain
	// assumes.
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PYTHONUTF8=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("oracle: %v: %s", err, stderr.String())
	}
	var results []Result
	if err := json.Unmarshal(out, &results); err != nil {
		return nil, fmt.Errorf("oracle output: %v", err)
	}
	if len(results) != len(scenarios) {
		return nil, fmt.Errorf("oracle returned %d results for %d scenarios", len(results), len(scenarios))
	}
	return results, nil
}

//go:embed settings.py
var settingsScript string

// Settings are the environment variables and config-file keys botocore
// reads (its session variables, the AWS_* names of its credential and token
// providers, a profile's credential keys), taken from botocore's source.
type Settings struct {
	Env    []string `json:"env"`
	Config []string `json:"config"`
}

// ReadSettings asks the installed botocore for its Settings.
func ReadSettings() (Settings, error) {
	out, err := exec.Command("python3", "-c", settingsScript).Output()
	if err != nil {
		return Settings{}, fmt.Errorf("oracle settings: %v", err)
	}
	var s Settings
	if err := json.Unmarshal(out, &s); err != nil {
		return Settings{}, fmt.Errorf("oracle settings output: %v", err)
	}
	return s, nil
}
