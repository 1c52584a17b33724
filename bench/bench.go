// Package bench generates the large configurations that credchain's
// benchmarks and peer comparison resolve.
package bench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// Target is the profile the benchmarks resolve: static keys in the middle of
// the credentials file.
func Target(n int) string { return fmt.Sprintf("p%05d", n/2) }

// WriteConfig writes dir/config and dir/credentials with n profiles each, in
// the shapes real configurations mix (regions, roles, SSO, processes, static
// keys). With n = 20000 the two files hold about 3 MB.
func WriteConfig(dir string, n int) (config, credentials string, err error) {
	config, credentials = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := write(config, func(w *bufio.Writer) {
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "[profile p%05d]\nregion = eu-west-%d\noutput = json\n", i, i%3+1)
			kind := i % 4
			if i == n/2 {
				kind = 3 // the target: static keys only
			}
			switch kind {
			case 0:
				fmt.Fprintf(w, "role_arn = arn:aws:iam::%012d:role/Deploy\nsource_profile = p%05d\n", 100000000000+i, (i+1)%n)
			case 1:
				fmt.Fprintf(w, "sso_session = corp\nsso_account_id = %012d\nsso_role_name = ReadOnly\n", 100000000000+i)
			case 2:
				fmt.Fprintf(w, "credential_process = /usr/local/bin/helper --profile p%05d\n", i)
			case 3:
				fmt.Fprintf(w, "# comment for p%05d\ncli_pager =\n", i)
			}
		}
		fmt.Fprintf(w, "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n")
	}); err != nil {
		return "", "", err
	}
	err = write(credentials, func(w *bufio.Writer) {
		for i := 0; i < n; i++ {
			if i%4 == 3 || i == n/2 {
				fmt.Fprintf(w, "[p%05d]\naws_access_key_id = AKIA%016d\naws_secret_access_key = %040d\n", i, i, i)
			}
		}
	})
	return config, credentials, err
}

func write(path string, body func(*bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	body(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
