package ststest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// NewMetadata starts a test server for the container credentials endpoint
// and the instance metadata service. Behaviour depends on the first path
// segment (the scope), so one server serves many scenarios:
//
//   - /SCOPE/creds: container credentials; a scope containing "c500"
//     answers 500, "cbadjson" answers non-JSON, "auth" requires the
//     Authorization header "Bearer tok".
//   - /SCOPE/latest/...: IMDS; "v1only" answers 403 to the token request,
//     "tok400" answers 400, "imdserr" answers an error document; the role is
//     "myrole" and IMDSv2 requests must carry the token.
//   - /SCOPE/federation/credentials: the SSO portal's GetRoleCredentials;
//     a token containing "expired-server" is refused (UnauthorizedException),
//     "sso503" gets a 503 and "sso429" TooManyRequestsException.
//   - /SCOPE/client/register, /SCOPE/device_authorization, /SCOPE/token:
//     SSO OIDC; a device code is approved on its second poll.
func NewMetadata() *httptest.Server {
	var mu sync.Mutex
	polls := map[string]int{}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
		if len(parts) < 2 {
			http.NotFound(w, r)
			return
		}
		scope, rest := parts[0], parts[1]
		creds := func(prefix string) {
			id := strings.ToUpper(strings.ReplaceAll(scope, "_", ""))
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"Code": "Success", "AccessKeyId": "%s%s", "SecretAccessKey": "secret-%s", "Token": "token-%s", "Expiration": "%s"}`,
				prefix, id[:min(12, len(id))], scope, scope, Expiration)
		}
		switch {
		case rest == "federation/credentials":
			tok := r.Header.Get("X-Amz-Sso_bearer_token")
			if tok == "" || strings.Contains(tok, "expired-server") {
				w.Header().Set("X-Amzn-Errortype", "UnauthorizedException")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"message": "Session token not found or invalid"}`)
				return
			}
			if strings.Contains(tok, "sso503") {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			if strings.Contains(tok, "sso429") {
				w.Header().Set("X-Amzn-Errortype", "TooManyRequestsException")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"message": "slow down"}`)
				return
			}
			id := strings.ToUpper(strings.ReplaceAll(r.URL.Query().Get("role_name")+tok, "-", ""))
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"roleCredentials": {"accessKeyId": "ASIASSO%s", "secretAccessKey": "sso-secret-%s", "sessionToken": "sso-token-%s", "expiration": 4070908800000}}`,
				id[:min(13, len(id))], tok, r.URL.Query().Get("account_id"))
		case rest == "client/register":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"clientId": "client-1", "clientSecret": "client-secret-1", "clientIdIssuedAt": 1700000000, "clientSecretExpiresAt": 4070908800}`)
		case rest == "device_authorization":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"deviceCode": "device-%s", "userCode": "ABCD-EFGH", "verificationUri": "https://device.sso/", "verificationUriComplete": "https://device.sso/?user_code=ABCD-EFGH", "expiresIn": 600, "interval": 1}`, scope)
		case rest == "token":
			var in struct{ GrantType, ClientID, ClientSecret, RefreshToken, DeviceCode string }
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
			if json.Unmarshal(body, &in) != nil {
				http.Error(w, `{"error": "invalid_request"}`, http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			switch in.GrantType {
			case "refresh_token":
				fmt.Fprintf(w, `{"accessToken": "refreshed-%s", "expiresIn": 3600, "refreshToken": "new-refresh", "tokenType": "Bearer"}`, in.RefreshToken)
			case "urn:ietf:params:oauth:grant-type:device_code":
				// The user approves on the second poll.
				polls[in.DeviceCode]++
				if polls[in.DeviceCode] < 2 {
					w.Header().Set("X-Amzn-Errortype", "AuthorizationPendingException")
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprint(w, `{"error": "authorization_pending"}`)
					return
				}
				fmt.Fprint(w, `{"accessToken": "device-token", "expiresIn": 28800, "refreshToken": "device-refresh", "tokenType": "Bearer"}`)
			default:
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error": "unsupported_grant_type"}`)
			}
		case rest == "creds":
			switch {
			case strings.Contains(scope, "c500"):
				http.Error(w, "no credentials here", http.StatusInternalServerError)
			case strings.Contains(scope, "cbadjson"):
				fmt.Fprint(w, "not json")
			case strings.Contains(scope, "auth") && r.Header.Get("Authorization") != "Bearer tok":
				http.Error(w, "unauthorized", http.StatusUnauthorized)
			default:
				creds("ASIACONT")
			}
		case rest == "latest/api/token":
			switch {
			case r.Method != http.MethodPut || r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") != "21600":
				http.Error(w, "bad token request", http.StatusBadRequest)
			case strings.Contains(scope, "v1only"):
				http.Error(w, "forbidden", http.StatusForbidden)
			case strings.Contains(scope, "tok400"):
				http.Error(w, "bad", http.StatusBadRequest)
			default:
				fmt.Fprint(w, "imds-token")
			}
		case strings.HasPrefix(rest, "latest/meta-data/iam/security-credentials/"):
			if !strings.Contains(scope, "v1only") && r.Header.Get("X-Aws-Ec2-Metadata-Token") != "imds-token" {
				http.Error(w, "token required", http.StatusUnauthorized)
				return
			}
			switch role := strings.TrimPrefix(rest, "latest/meta-data/iam/security-credentials/"); {
			case role == "":
				fmt.Fprint(w, "myrole")
			case role == "myrole" && strings.Contains(scope, "imdserr"):
				fmt.Fprint(w, `{"Code": "AssumeRoleUnauthorizedAccess", "Message": "EC2 cannot assume the role"}`)
			case role == "myrole":
				creds("ASIAIMDS")
			default:
				http.NotFound(w, r)
			}
		default:
			http.NotFound(w, r)
		}
	}))
}
