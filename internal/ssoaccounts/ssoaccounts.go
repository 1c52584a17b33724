// Package ssoaccounts lists what an IAM Identity Center user can reach:
// every account (ListAccounts) and each account's roles
// (ListAccountRoles), following every page, with the account calls run
// concurrently within a bound. Retries of throttled calls are the client's
// (botocore's retry settings).
package ssoaccounts

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"
)

// API is the part of the portal listing uses.
type API interface {
	sso.ListAccountsAPIClient
	sso.ListAccountRolesAPIClient
}

// Role is one role in one account.
type Role struct {
	AccountID, AccountName, Email, RoleName string
}

// DefaultConcurrency bounds the ListAccountRoles calls in flight.
const DefaultConcurrency = 8

// ErrToken says the portal refused the access token (expired or revoked).
var ErrToken = errors.New("the portal refused the access token (expired or revoked)")

// List returns every role of every account, sorted by account name, id
// and role. Any failure fails the whole listing: a partial list is never
// returned.
func List(ctx context.Context, api API, token string, concurrency int) ([]Role, error) {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	type account struct{ id, name, email string }
	var accounts []account
	pages := sso.NewListAccountsPaginator(api, &sso.ListAccountsInput{AccessToken: aws.String(token)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, describe("ListAccounts", err)
		}
		for _, a := range out.AccountList {
			accounts = append(accounts, account{aws.ToString(a.AccountId), aws.ToString(a.AccountName), aws.ToString(a.EmailAddress)})
		}
	}
	// The first failure cancels the other calls and is the one returned.
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	results := make([][]Role, len(accounts))
	for i, a := range accounts {
		g.Go(func() error {
			pages := sso.NewListAccountRolesPaginator(api, &sso.ListAccountRolesInput{AccessToken: aws.String(token), AccountId: aws.String(a.id)})
			for pages.HasMorePages() {
				out, err := pages.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("account %s (%s): %w", a.id, a.name, describe("ListAccountRoles", err))
				}
				for _, r := range out.RoleList {
					results[i] = append(results[i], Role{AccountID: a.id, AccountName: a.name, Email: a.email, RoleName: aws.ToString(r.RoleName)})
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []Role
	for _, r := range results {
		all = append(all, r...)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.AccountName != b.AccountName {
			return a.AccountName < b.AccountName
		}
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		return a.RoleName < b.RoleName
	})
	return all, nil
}

func describe(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "UnauthorizedException" {
		return fmt.Errorf("%s: %w", op, ErrToken)
	}
	return fmt.Errorf("%s: %w", op, err)
}
