package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carelake/schemas/careqlog"
	"carelake/stages/extract/receiver"
)

const (
	serveTestToken  = "cli-test-token-0000000000000000000001"
	serveTestSecret = "cli-test-signing-secret-000001"
	serveTestPIIKey = "cli-test-pii-key-0123456789abcdef0123"
)

func writeServeConfig(t *testing.T, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "serve.yaml")
	cfg := "clinics:\n  - clinic_id: clinic_abc\n    tokens: [\"" + serveTestToken + "\"]\n    signing_secrets: [\"" + serveTestSecret + "\"]\n"
	if err := os.WriteFile(p, []byte(cfg), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
	return p
}

func TestServeRefusesBadSetup(t *testing.T) {
	good := writeServeConfig(t, 0o600)
	open := writeServeConfig(t, 0o644)
	for _, tc := range []struct {
		name   string
		env    string
		args   []string
		code   int
		stderr string
	}{
		{"no config", serveTestPIIKey, []string{"serve"}, 2, "--config is required"},
		{"bad addr", serveTestPIIKey, []string{"serve", "--config", good, "--addr", "8080"}, 2, "--addr"},
		{"half TLS", serveTestPIIKey, []string{"serve", "--config", good, "--tls-cert", "c.pem"}, 2, "--tls-cert and --tls-key"},
		{"zero rate", serveTestPIIKey, []string{"serve", "--config", good, "--clinic-rate-limit", "0"}, 2, "--clinic-rate-limit"},
		{"unknown retire policy", serveTestPIIKey, []string{"serve", "--config", good, "--retire", "compress"}, 2, "--retire \"compress\""},
		{"zero checkpoint cadence", serveTestPIIKey, []string{"serve", "--config", good, "--checkpoint-every", "0s"}, 2, "--checkpoint-every"},
		{"no PII key", "", []string{"serve", "--config", good}, 1, "CARELAKE_PII_KEY"},
		{"short PII key", "too-short", []string{"serve", "--config", good}, 1, "at least 32 bytes"},
		{"config readable by others", serveTestPIIKey, []string{"serve", "--config", open}, 1, "chmod 600 " + open},
		{"missing config", serveTestPIIKey, []string{"serve", "--config", filepath.Join(t.TempDir(), "none.yaml")}, 1, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(receiver.PIIKeyEnv, tc.env)
			code, _, stderr := run(t, append(tc.args, "--out", t.TempDir())...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.stderr)
			}
			if strings.Contains(stderr, serveTestToken) || strings.Contains(stderr, serveTestPIIKey) {
				t.Fatalf("stderr shows a secret: %q", stderr)
			}
		})
	}
}

// startServe runs carelake serve in-process on a free port until ctx ends
// and waits until it answers health. It returns the address, the channel
// its exit code arrives on, and its stderr (to read once the code arrived).
func startServe(t *testing.T, ctx context.Context, cfg, out string) (string, <-chan int, *bytes.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runApp(ctx, []string{"carelake", "serve", "--config", cfg, "--addr", addr, "--out", out,
			"--drain-delay", "0s", "--log-format", "json"}, &bytes.Buffer{}, &stderr)
	}()
	c := receiver.NewClient("http://"+addr, serveTestToken, serveTestSecret, receiver.SignedBody)
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, _, err := c.Health(context.Background())
		if err == nil && status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, done, &stderr
}

// carelake serve in-process: answers a signed call, and on cancel (the first
// signal) drains, checkpoints its state, seals the log under <out>/raw/careq
// and exits 0.
func TestServeEndToEnd(t *testing.T) {
	t.Setenv(receiver.PIIKeyEnv, serveTestPIIKey)
	cfg := writeServeConfig(t, 0o600)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, done, stderr := startServe(t, ctx, cfg, out)
	c := receiver.NewClient("http://"+addr, serveTestToken, serveTestSecret, receiver.SignedBody)
	body := []byte(`{"careq_id": 1, "clinic_id": "clinic_abc", "first_name": "Ada", "last_name": "Quill", "phone_number": "9876501234"}`)
	status, answer, err := c.Send(context.Background(), "patient", body)
	if err != nil || status != 201 {
		t.Fatalf("%d %s %v", status, answer, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	segs, err := careqlog.SealedSegments(careqlog.Dir(out))
	if err != nil || len(segs) != 1 {
		t.Fatalf("sealed segments %v %v", segs, err)
	}
	var n int
	if err := careqlog.ReadSegment(segs[0], func(r *careqlog.LogRecord) error {
		if r.Endpoint == careqlog.EndpointPatient && r.Status == 201 {
			n++
		}
		return nil
	}); err != nil || n != 1 {
		t.Fatalf("patient records %d, %v", n, err)
	}
	for _, secret := range []string{serveTestToken, serveTestSecret, serveTestPIIKey, "9876501234", "Quill"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("process log shows %q", secret)
		}
	}
	if !strings.Contains(stderr.String(), "careq: serving") || !strings.Contains(stderr.String(), "log sealed") ||
		!strings.Contains(stderr.String(), "checkpoint written") {
		t.Errorf("process log lacks start/checkpoint/stop lines: %s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(careqlog.Dir(out), careqlog.CheckpointName)); err != nil {
		t.Errorf("no checkpoint after a graceful stop: %v", err)
	}
}

// Two receivers never share a log directory: serve holds its lock while it
// runs.
func TestServeLocksLogDir(t *testing.T) {
	t.Setenv(receiver.PIIKeyEnv, serveTestPIIKey)
	cfg := writeServeConfig(t, 0o600)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, done, stderr := startServe(t, ctx, cfg, out)
	// Bounded, should the second receiver start serving after all.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	code, _, errOut := runContext(t, ctx2, "serve", "--config", cfg, "--addr", "127.0.0.1:0", "--out", out)
	if code == 0 || !strings.Contains(errOut, "another carelake run holds") {
		t.Fatalf("second receiver on the same log: exit %d, %s", code, errOut)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}
