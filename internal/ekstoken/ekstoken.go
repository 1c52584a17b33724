// Package ekstoken makes the bearer token kubectl sends to an EKS cluster:
// an STS GetCallerIdentity URL presigned for 60 seconds with the cluster's
// name in the signed x-k8s-aws-id header, base64url-encoded after the
// k8s-aws-v1. prefix, in the ExecCredential document `aws eks get-token`
// prints (valid 14 minutes, as the AWS CLI says).
package ekstoken

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/credchain/credchain/creds"
)

// APIVersion is the client.authentication.k8s.io version the AWS CLI v1
// prints.
const APIVersion = "client.authentication.k8s.io/v1beta1"

// Lifetime is how long the AWS CLI says a token is good for.
const Lifetime = 14 * time.Minute

// ExecCredential is the document kubectl reads from an exec plugin.
type ExecCredential struct {
	Kind       string   `json:"kind"`
	APIVersion string   `json:"apiVersion"`
	Spec       struct{} `json:"spec"`
	Status     struct {
		ExpirationTimestamp string `json:"expirationTimestamp"`
		Token               string `json:"token"`
	} `json:"status"`
}

// Token presigns GetCallerIdentity for cluster with c in region (the
// regional STS endpoint, or endpoint when set).
func Token(ctx context.Context, c creds.Credentials, region, endpoint, cluster string, now time.Time) (ExecCredential, error) {
	var out ExecCredential
	if cluster == "" {
		return out, fmt.Errorf("--cluster-name is required")
	}
	o := sts.Options{Region: region, Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, nil
	})}
	if endpoint != "" {
		o.BaseEndpoint = aws.String(endpoint)
	}
	presign := sts.NewPresignClient(sts.New(o))
	req, err := presign.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(p *sts.PresignOptions) {
		p.ClientOptions = append(p.ClientOptions, func(so *sts.Options) {
			so.APIOptions = append(so.APIOptions,
				smithyhttp.SetHeaderValue("x-k8s-aws-id", cluster),
				smithyhttp.SetHeaderValue("X-Amz-Expires", "60"))
		})
	})
	if err != nil {
		return out, fmt.Errorf("presigning GetCallerIdentity for cluster %s: %w", cluster, err)
	}
	out.Kind, out.APIVersion = "ExecCredential", APIVersion
	out.Status.Token = "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(req.URL))
	out.Status.ExpirationTimestamp = now.Add(Lifetime).UTC().Format("2006-01-02T15:04:05Z")
	return out, nil
}

// JSON is the document as the AWS CLI prints it.
func (e ExecCredential) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "    ")
	return append(b, '\n'), err
}
