//go:build darwin

package browser

// opener is the platform's; in an SSH session it would open the browser on
// this machine's screen, not the person's.
func opener(url string, env func(string) (string, bool)) (string, []string, error) {
	if err := sshSession(env); err != nil {
		return "", nil, err
	}
	return "open", []string{url}, nil
}
