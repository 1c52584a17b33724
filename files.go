package credchain

import (
	"errors"
	"sync"

	"github.com/credchain/credchain/awsconfig"
)

// sharedFiles is session.full_config: both shared files, read once per
// Session (in parallel) and only when first needed.
type sharedFiles struct {
	once     sync.Once
	err      error
	config   *awsconfig.Config
	credFile *awsconfig.File
	profiles *awsconfig.Profiles
}

func (f *sharedFiles) load(env func(string) (string, bool)) error {
	f.once.Do(func() {
		cfgPath, _ := awsconfig.ConfigFile(env)
		credPath, _ := awsconfig.CredentialsFile(env)
		var credErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.credFile, credErr = awsconfig.ReadFile(credPath)
			if errors.Is(credErr, awsconfig.ErrNotFound) {
				f.credFile, credErr = nil, nil
			}
		}()
		cf, err := awsconfig.ReadFile(cfgPath)
		<-done
		switch {
		case errors.Is(err, awsconfig.ErrNotFound):
			f.config = awsconfig.NewConfig(nil)
		case err != nil:
			// botocore reads the config file first: its error wins.
			f.err = err
			return
		default:
			f.config = awsconfig.NewConfig(cf)
		}
		if credErr != nil {
			f.err = credErr
			return
		}
		f.profiles = awsconfig.Merge(f.config, f.credFile)
	})
	return f.err
}
