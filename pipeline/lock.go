package pipeline

import (
	"carelake/pipeline/durable"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrLocked means another carelake process holds the warehouse's run lock.
var ErrLocked = errors.New("another carelake run holds the warehouse lock")

// Lock is the warehouse run lock: an exclusive flock on <out>/.carelake.lock.
// The kernel releases it when the process dies, so a kill -9 never leaves a
// stale lock behind.
type Lock struct {
	f *os.File
}

// AcquireLock takes the run lock of the warehouse at root without waiting.
// When another process holds it, the error wraps ErrLocked and names the
// holder's PID and start time.
func AcquireLock(root, command string) (*Lock, error) {
	if err := os.MkdirAll(root, durable.DirPerm); err != nil {
		return nil, fmt.Errorf("create warehouse %s: %w", root, err)
	}
	path := filepath.Join(root, ".carelake.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, durable.FilePerm)
	if err != nil {
		return nil, fmt.Errorf("open run lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s): wait for it to finish or stop it; the lock frees itself when that process exits",
				ErrLocked, strings.TrimSpace(string(holder)))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	info := "pid " + strconv.Itoa(os.Getpid()) + ", " + command + ", since " + time.Now().UTC().Format(time.RFC3339)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(info+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// LockHolder reports whether a process holds the run lock of the warehouse
// at root, and who (its PID, command and start time), without taking it.
func LockHolder(root string) (holder string, held bool, err error) {
	path := filepath.Join(root, ".carelake.lock")
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("open run lock: %w", err)
	}
	defer f.Close() // drops the shared lock, if taken
	switch err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); {
	case errors.Is(err, syscall.EWOULDBLOCK):
		b, _ := os.ReadFile(path)
		return strings.TrimSpace(string(b)), true, nil
	case err != nil:
		return "", false, fmt.Errorf("probe run lock: %w", err)
	}
	return "", false, nil
}

// Release frees the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor drops the flock
	l.f = nil
	return err
}
