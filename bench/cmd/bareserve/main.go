// Command bareserve is the peer of credchain's server in the benchmarks: a
// bare net/http server on 127.0.0.1 that checks the Authorization header
// and answers a fixed container-credentials document. It prints the same
// two variables as `credchain serve`, then serves until killed.
package main

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"os"
)

const token = "bareserve-token"

var body = []byte(`{"AccessKeyId":"AKIABENCHSERVE","SecretAccessKey":"bench-secret","Token":"","Expiration":"2099-01-01T00:00:00Z"}`)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://%s/credentials'\n", ln.Addr())
	fmt.Printf("export AWS_CONTAINER_AUTHORIZATION_TOKEN='%s'\n", token)
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(token)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
