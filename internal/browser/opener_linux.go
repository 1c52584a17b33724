//go:build !darwin && !windows

package browser

import (
	"errors"
	"fmt"
)

func opener(url string, env func(string) (string, bool)) (string, []string, error) {
	x, _ := env("DISPLAY")
	w, _ := env("WAYLAND_DISPLAY")
	if x == "" && w == "" {
		if err := sshSession(env); err != nil {
			return "", nil, fmt.Errorf("%w, and no forwarded display", err)
		}
		return "", nil, errors.New("no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)")
	}
	return "xdg-open", []string{url}, nil
}
