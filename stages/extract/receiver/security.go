package receiver

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of the security log and of the limit on refused calls.
const (
	DefaultSecurityLogBytes = 16 << 20 // one file, before it rotates
	DefaultSecurityLogKeep  = 3        // rotated files kept (path.1 ... path.3)
	// DefaultRefusedPerMinute and DefaultRefusedBurst bound the calls
	// refused before authentication that one source address may have
	// answered 401, 404, 405 or 413 (and written to the security log);
	// beyond them its refused calls are answered 429.
	DefaultRefusedPerMinute = 60
	DefaultRefusedBurst     = 120
	// preAuthBodyBytes is the most of a body read from a call refused
	// before authentication (a longer one closes the connection).
	preAuthBodyBytes = 4 << 10
	// DefaultRefusedDelay holds each 429 of a source past its allowance
	// of refusals (ServerOptions.RefusedDelay).
	DefaultRefusedDelay = time.Second
	// maxLoggedPath is the longest request path the security log keeps.
	maxLoggedPath = 64
)

// SecurityLogOptions configure the security log, where calls refused before
// authentication are written when Path is set. It is not durable (never
// fsynced) and bounded: a file rotates at MaxBytes, and Keep rotated files
// are kept, so it never holds more than (Keep+1) x MaxBytes.
type SecurityLogOptions struct {
	Path     string
	MaxBytes int64
	Keep     int
}

// securityRecord is one line of the security log.
type securityRecord struct {
	Time     time.Time `json:"time"`
	Source   string    `json:"source"`
	Method   string    `json:"method"`
	Endpoint string    `json:"endpoint"`
	Path     string    `json:"path,omitempty"`
	Status   int       `json:"status"`
	Code     string    `json:"code"`
	Reason   string    `json:"reason"`
	// BodyBytes is the declared Content-Length (-1: not declared).
	BodyBytes int64 `json:"body_bytes"`
}

type securityLog struct {
	opts SecurityLogOptions
	mu   sync.Mutex
	f    *os.File
	size int64
	err  error // the first failure; the log then stays off
}

func openSecurityLog(o SecurityLogOptions) (*securityLog, error) {
	if o.Path == "" {
		return nil, nil
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultSecurityLogBytes
	}
	if o.Keep <= 0 {
		o.Keep = DefaultSecurityLogKeep
	}
	l := &securityLog{opts: o}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *securityLog) open() error {
	f, err := os.OpenFile(l.opts.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("careq security log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("careq security log: %w", err)
	}
	l.f, l.size = f, fi.Size()
	return nil
}

// write appends one record (no fsync), rotating first when the file is full.
// A failure switches the security log off and is reported once.
func (l *securityLog) write(r *securityRecord) error {
	line, _ := json.Marshal(r) // plain fields
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return nil
	}
	if l.size+int64(len(line)) > l.opts.MaxBytes {
		l.err = l.rotate()
	}
	if l.err == nil {
		var n int
		n, l.err = l.f.Write(line)
		l.size += int64(n)
	}
	if l.err != nil {
		return fmt.Errorf("careq security log: %w", l.err)
	}
	return nil
}

func (l *securityLog) rotate() error {
	if err := l.f.Close(); err != nil {
		return err
	}
	p := l.opts.Path
	for i := l.opts.Keep - 1; i >= 1; i-- {
		if err := os.Rename(p+"."+strconv.Itoa(i), p+"."+strconv.Itoa(i+1)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if err := os.Rename(p, p+".1"); err != nil {
		return err
	}
	return l.open()
}

func (l *securityLog) close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// sanitisePath makes a request path safe to store: at most maxLoggedPath
// bytes, every byte other than a letter, digit, '/', '-', '_' or '.' as '_'.
func sanitisePath(p string) string {
	p = p[:min(len(p), maxLoggedPath)]
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("/-_.", r):
			return r
		}
		return '_'
	}, p)
}

// source is the address a call came from (the proxy's, behind one).
func source(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}
