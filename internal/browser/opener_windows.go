//go:build windows

package browser

func opener(url string, _ func(string) (string, bool)) (string, []string, error) {
	return "rundll32", []string{"url.dll,FileProtocolHandler", url}, nil
}
