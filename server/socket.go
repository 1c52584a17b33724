package server

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"

	"github.com/credchain/credchain/internal/atomicfile"
)

// SocketHost is the Host a request on the unix socket must carry: the
// bridge sets it (a socket has no address a browser could be rebound to).
const SocketHost = "credchain.socket"

// TokenFile is where ListenUnix writes the token of the socket at path.
func TokenFile(path string) string { return path + ".token" }

// ListenUnix binds a unix socket at path (mode 0600) in a folder only its
// owner can read (0700: one that others can read or enter is refused), and
// writes the token to TokenFile(path) (0600), so that a container can be
// given the folder. A stale socket from a stopped server is replaced.
func (s *Server) ListenUnix(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("socket folder: %w (create it with mode 0700)", err)
	}
	// Windows (10 and later) has AF_UNIX sockets, the nearest to a unix
	// socket that a container can be given; its folders' access is ACLs,
	// which the mode bits do not show: the folder is the user's to keep
	// private there.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("socket folder %s has mode %04o: others could reach the credentials; chmod 700 %s", dir, fi.Mode().Perm(), dir)
	}
	if st, err := os.Lstat(path); err == nil {
		if st.Mode()&os.ModeSocket == 0 {
			return fmt.Errorf("%s exists and is not a socket: choose another path", path)
		}
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return fmt.Errorf("%s is served already (credchain serve --stop, or another path)", path)
		}
		_ = os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o600); err != nil {
			ln.Close()
			return err
		}
	}
	if err := atomicfile.Write(TokenFile(path), []byte(s.Token), 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("token file: %w", err)
	}
	s.ln, s.addr, s.socket = ln, SocketHost, path
	return nil
}
