// Package proc holds what credchain does with processes that differs by
// operating system: which signals exec forwards, whether the terminal
// already delivered one, process groups for helpers that must die together,
// and detaching a background server. Each function has one implementation
// per platform (proc_unix.go, proc_windows.go).
package proc
