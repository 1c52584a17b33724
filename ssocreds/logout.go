//go:build !credchain_front

package ssocreds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
)

// LogoutAPI is the portal's Logout.
type LogoutAPI interface {
	Logout(ctx context.Context, in *sso.LogoutInput, opts ...func(*sso.Options)) (*sso.LogoutOutput, error)
}

// LogoutReport says what a logout did.
type LogoutReport struct {
	// Tokens are the token cache files removed; LoggedOut those whose
	// token the portal was told to end; Refused those it did not accept
	// (already expired or revoked).
	Tokens, LoggedOut, Refused []string
	// Credentials are the cached role credentials removed.
	Credentials []string
}

// Logout is `aws sso logout`: every cached SSO token (a file of tokenDir
// with an accessToken) is ended at the portal of its region (a refusal is
// noted, not an error: it may have expired) and deleted; then every cached
// role credential from SSO (a file of credsDir with "ProviderType": "sso")
// is deleted. client returns the portal client of a region.
func Logout(ctx context.Context, tokenDir, credsDir string, client func(region string) LogoutAPI) (LogoutReport, error) {
	var rep LogoutReport
	err := sweep(tokenDir, func(path string, doc map[string]any) (bool, error) {
		tok, ok := doc["accessToken"].(string)
		if !ok {
			return false, nil
		}
		if region, _ := doc["region"].(string); region != "" {
			if _, err := client(region).Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(tok)}); err != nil {
				if ctx.Err() != nil {
					return false, ctx.Err()
				}
				rep.Refused = append(rep.Refused, path)
			} else {
				rep.LoggedOut = append(rep.LoggedOut, path)
			}
		}
		rep.Tokens = append(rep.Tokens, path)
		return true, nil
	})
	if err != nil {
		return rep, err
	}
	err = sweep(credsDir, func(path string, doc map[string]any) (bool, error) {
		if doc["ProviderType"] != "sso" {
			return false, nil
		}
		rep.Credentials = append(rep.Credentials, path)
		return true, nil
	})
	return rep, err
}

// sweep calls decide for every JSON file of dir and removes those it
// chooses; files that are not JSON are left alone.
func sweep(dir string, decide func(path string, doc map[string]any) (bool, error)) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, maxToken))
		f.Close()
		var doc map[string]any
		if err != nil || json.Unmarshal(data, &doc) != nil {
			continue
		}
		del, err := decide(path, doc)
		if err != nil {
			return err
		}
		if del {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("removing %s: %w", path, err)
			}
		}
	}
	return nil
}
