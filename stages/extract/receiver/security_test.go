package receiver

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// A source address gets RefusedBurst refusals answered as such (and written
// to the security log); past them its refused calls are answered 429 and
// written nowhere, until its allowance refills. A clinic's good call from
// the same address is not held back. Of an unauthenticated body at most a
// small prefix is read, and nothing of it reaches the durable log.
func TestRefusalsAreLimitedPerSource(t *testing.T) {
	security := filepath.Join(t.TempDir(), "security.log")
	e := newEnv(t, func(o *ServerOptions) {
		o.RefusedPerMinute, o.RefusedBurst, o.RefusedDelay = 60, 5, time.Millisecond
		o.SecurityLog = SecurityLogOptions{Path: security}
	})
	h := e.srv.Handler()
	stranger := func() (*httptest.ResponseRecorder, int) {
		body := &countingReader{r: bytes.NewReader(make([]byte, 1<<20))}
		req := httptest.NewRequest(http.MethodPost, APIPrefix+"patient", body)
		req.Header.Set("Authorization", "Bearer not-a-token-anyone-has-000000000000")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w, body.n
	}
	for i := range 5 {
		w, read := stranger()
		if w.Code != 401 || read > preAuthBodyBytes+1 {
			t.Fatalf("refusal %d: %d, %d body bytes read", i, w.Code, read)
		}
	}
	for i := range 20 {
		w, read := stranger()
		if w.Code != 429 || w.Header().Get("Retry-After") == "" || read > preAuthBodyBytes+1 {
			t.Fatalf("refusal %d past the allowance: %d %q, %d body bytes read", i, w.Code, w.Header().Get("Retry-After"), read)
		}
	}
	e.send("clinic_abc", "patient", specBody(t, "patient")).want(t, 201, "") // same address, authenticated
	e.clock.Advance(time.Minute)
	if w, _ := stranger(); w.Code != 401 {
		t.Fatalf("after a minute: %d", w.Code)
	}
	recs := e.records()
	if len(recs) != 1 || recs[0].ClinicID != "clinic_abc" {
		t.Fatalf("durable log: %d records", len(recs))
	}
	b, _ := os.ReadFile(security)
	if n := strings.Count(string(b), "\n"); n != 6 {
		t.Fatalf("security log: %d lines, want the 6 refusals answered 401", n)
	}
	m := e.scrape()
	for _, want := range []string{`careq_refused_total{reason="token"} 6`, `careq_refused_total{reason="limited"} 20`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// The security log rotates at MaxBytes and keeps Keep rotated files: it
// never holds more than (Keep+1) x MaxBytes.
func TestSecurityLogIsBounded(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "security.log")
	e := newEnv(t, func(o *ServerOptions) {
		o.RefusedBurst = 1 << 20
		o.SecurityLog = SecurityLogOptions{Path: path, MaxBytes: 1000, Keep: 2}
	})
	for range 100 {
		req := httptest.NewRequest(http.MethodPost, APIPrefix+"nowhere/"+strings.Repeat("z", 100), strings.NewReader("{}"))
		e.srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}
	files, _ := filepath.Glob(path + "*")
	if len(files) != 3 {
		t.Fatalf("files %v, want the log and 2 rotated", files)
	}
	for _, f := range files {
		fi, _ := os.Stat(f)
		if fi.Size() > 1000 || fi.Size() == 0 {
			t.Errorf("%s holds %d bytes", f, fi.Size())
		}
	}
	if recs := e.records(); len(recs) != 0 {
		t.Fatalf("durable log holds %d records", len(recs))
	}
	if p := sanitisePath(APIPrefix + "a b\x00<é>"); p != APIPrefix+"a_b____" {
		t.Errorf("sanitised path %q", p)
	}
}
