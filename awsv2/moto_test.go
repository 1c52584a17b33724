package awsv2_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsv2"
	"github.com/credchain/credchain/internal/motoserver"
)

// TestDynamoDBOnRoleProfile is the library half of the switch-role
// articles: an aws-sdk-go-v2 DynamoDB client on a Session whose profile
// assumes a role (role_arn + source_profile) lists the tables, against moto
// enforcing IAM; alice's own keys are refused.
func TestDynamoDBOnRoleProfile(t *testing.T) {
	if err := motoserver.Available(); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatalf("moto_server is required: %v", err)
		}
		t.Skip(err)
	}
	moto, err := motoserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer moto.Close()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf("[profile ops]\nregion = us-east-1\nrole_arn = %s\nsource_profile = alice\n[profile alice]\nregion = us-east-1\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		moto.Roles["Ops"], moto.AccessKeyID, moto.SecretAccessKey)
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "AWS_ENDPOINT_URL=" + moto.URL, "BOTO_CONFIG=" + filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true"}
	list := func(profile string) ([]string, error) {
		s := credchain.NewSession(credchain.WithProfile(profile), credchain.WithEnviron(env))
		client := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: awsv2.New(s)},
			func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(moto.URL) })
		out, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{})
		if err != nil {
			return nil, err
		}
		return out.TableNames, nil
	}
	tables, err := list("ops")
	if err != nil || !slices.Contains(tables, "orders") {
		t.Fatalf("ListTables as the role = %v, %v", tables, err)
	}
	if _, err := list("alice"); err == nil {
		t.Fatal("alice's own keys listed tables; moto is not enforcing IAM")
	}
}
