//go:build darwin

package browser

func opener(url string, _ func(string) (string, bool)) (string, []string, error) {
	return "open", []string{url}, nil
}
