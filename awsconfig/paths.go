package awsconfig

import (
	"os/user"
	"strings"

	"github.com/credchain/credchain/internal/pystr"
)

// LookupEnv is the shape of os.LookupEnv; every function here takes one so
// that the environment is injected, never read from the process.
type LookupEnv func(string) (string, bool)

// ExpandPath expands a configured path like botocore: os.path.expandvars,
// then os.path.expanduser (HOME for "~", the password database for "~user").
func ExpandPath(path string, env LookupEnv) string {
	return ExpandUser(pystr.ExpandVars(path, env), env)
}

// ExpandUser is posixpath.expanduser.
func ExpandUser(path string, env LookupEnv) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	i := strings.IndexByte(path, '/')
	if i < 0 {
		i = len(path)
	}
	var home string
	if i == 1 {
		h, ok := env("HOME")
		if !ok {
			u, err := user.Current()
			if err != nil {
				return path
			}
			h = u.HomeDir
		}
		home = h
	} else {
		u, err := user.Lookup(path[1:i])
		if err != nil {
			return path
		}
		home = u.HomeDir
	}
	home = strings.TrimRight(home, "/")
	if out := home + path[i:]; out != "" {
		return out
	}
	return "/"
}

// Default locations and the variables that override them.
const (
	DefaultConfigFile      = "~/.aws/config"
	DefaultCredentialsFile = "~/.aws/credentials"
	EnvConfigFile          = "AWS_CONFIG_FILE"
	EnvCredentialsFile     = "AWS_SHARED_CREDENTIALS_FILE"
)

// ConfigFile returns the shared config file's path, expanded, and the
// setting it came from.
func ConfigFile(env LookupEnv) (path, from string) {
	return locate(env, EnvConfigFile, DefaultConfigFile)
}

// CredentialsFile returns the shared credentials file's path, expanded, and
// the setting it came from.
func CredentialsFile(env LookupEnv) (path, from string) {
	return locate(env, EnvCredentialsFile, DefaultCredentialsFile)
}

func locate(env LookupEnv, name, def string) (string, string) {
	// An empty value counts as set (botocore checks presence), and an empty
	// path is no file.
	if v, ok := env(name); ok {
		return ExpandPath(v, env), name
	}
	return ExpandPath(def, env), "default " + def
}
