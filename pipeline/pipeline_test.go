package pipeline

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// lockChildEnv makes the test binary, re-executed, try the lock and report.
const lockChildEnv = "CARELAKE_TEST_LOCK_ROOT"

func TestMain(m *testing.M) {
	if root := os.Getenv(lockChildEnv); root != "" {
		if _, err := AcquireLock(root, "child"); err != nil {
			fmt.Println("locked:", err)
			os.Exit(3)
		}
		fmt.Println("acquired")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func tryLockInChild(t *testing.T, root string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+root)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func TestLockIsExclusiveAcrossProcesses(t *testing.T) {
	root := t.TempDir()
	l, err := AcquireLock(root, "run")
	if err != nil {
		t.Fatal(err)
	}
	// Same process, second descriptor: flock locks are per open file.
	if _, err := AcquireLock(root, "run"); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second lock: %v", err)
	}
	if out, code := tryLockInChild(t, root); code != 3 || !strings.Contains(out, "another carelake run") {
		t.Fatalf("another process got the lock we hold (exit %d): %s", code, out)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if out, code := tryLockInChild(t, root); code != 0 {
		t.Fatalf("lock not free after release (exit %d): %s", code, out)
	}
}
