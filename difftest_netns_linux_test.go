package credchain_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// rerunInNetns runs this test again in a new network namespace: loopback
// up, the container endpoint's address 169.254.170.2 on it, and every other
// IPv4 address local too so that netcatch sees any try to reach one. Its
// output is this test's; a failure there fails this test.
func rerunInNetns(t *testing.T) error {
	if os.Getuid() != 0 {
		return fmt.Errorf("not root")
	}
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			return err
		}
	}
	setup := "ip link set lo up && ip addr add 169.254.170.2/32 dev lo && ip route add local 0.0.0.0/0 dev lo && exec \"$@\""
	if out, err := exec.Command("unshare", "-n", "--", "sh", "-c", setup, "sh", "true").CombinedOutput(); err != nil {
		return fmt.Errorf("unshare -n: %v: %s", err, bytes.TrimSpace(out))
	}
	cmd := exec.Command("unshare", "-n", "--", "sh", "-c", setup, "sh", os.Args[0],
		"-test.run=^TestDifferentialGenerated$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "CREDCHAIN_DIFF_NETNS=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // gone with this test
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the suite in its network namespace: %v", err)
	}
	return nil
}
