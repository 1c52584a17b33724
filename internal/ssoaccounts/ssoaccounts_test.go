package ssoaccounts

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/internal/ssotest"
	"github.com/credchain/credchain/ssocreds"
)

func TestListFollowsEveryPage(t *testing.T) {
	accounts := ssotest.Accounts(1000, "Admin", "ReadOnly", "Billing")
	s := ssotest.New(accounts, "tok")
	defer s.Close()
	s.PageSize = 7
	s.SetThrottle(3)
	client := ssocreds.NewPortalClient("us-east-1", s.URL, awshttp.Retry{Mode: awshttp.RetryStandard, MaxAttempts: 5}, nil)
	roles, err := List(context.Background(), client, "tok", 16)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 3000 || roles[0].AccountName != "acct-0000" || roles[0].RoleName != "Admin" || roles[2999].AccountName != "acct-0999" {
		t.Fatalf("%d roles, first %+v", len(roles), roles[0])
	}
	pages := 0
	for _, c := range s.Calls() {
		if c.Op == "/assignment/accounts" && c.Status == 200 {
			pages++
		}
		if c.Token != "tok" {
			t.Fatalf("call without the bearer token: %+v", c)
		}
	}
	if pages != 143 { // ceil(1000/7)
		t.Fatalf("%d pages of accounts", pages)
	}
}

func TestListFailsWhole(t *testing.T) {
	s := ssotest.New(ssotest.Accounts(50, "Admin"), "tok")
	defer s.Close()
	s.PageSize = 5
	client := ssocreds.NewPortalClient("us-east-1", s.URL, awshttp.Retry{Mode: awshttp.RetryStandard, MaxAttempts: 2}, nil)
	s.FailFrom(20)
	roles, err := List(context.Background(), client, "tok", 4)
	if err == nil || roles != nil || !strings.Contains(err.Error(), "InternalServerException") {
		t.Fatalf("a portal that fails mid-listing: %d roles, %v", len(roles), err)
	}
	s.FailFrom(0)
	if _, err := List(context.Background(), client, "revoked", 4); !errors.Is(err, ErrToken) {
		t.Fatalf("revoked token: %v", err)
	}
}
