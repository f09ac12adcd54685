package receiver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"carelake/schemas/careqlog"
)

// The test binary doubles as a receiver process: with CAREQ_TEST_CHILD=serve
// it runs Run (as carelake serve does) and prints "LISTEN <addr>".
func TestMain(m *testing.M) {
	if os.Getenv("CAREQ_TEST_CHILD") == "serve" {
		os.Exit(childServe())
	}
	os.Exit(m.Run())
}

func childServe() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	key, err := PIIKeyFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg, err := LoadConfig(os.Getenv("CAREQ_TEST_CONFIG"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	every, _ := time.ParseDuration(os.Getenv("CAREQ_TEST_CHECKPOINT_EVERY")) // unset: the default
	_, err = Run(ctx, Options{
		ServerOptions: ServerOptions{Config: cfg, PIIKey: key, LogDir: os.Getenv("CAREQ_TEST_LOG_DIR"),
			RatePerMinute: 1 << 30, RateBurst: 1 << 20, Log: LogOptions{NoSync: os.Getenv("CAREQ_TEST_NOSYNC") == "1"}},
		Addr:            "127.0.0.1:0",
		OnListen:        func(a net.Addr) { fmt.Printf("LISTEN %s\n", a) },
		MetricsAddr:     "127.0.0.1:0",
		OnMetricsListen: func(a net.Addr) { fmt.Printf("METRICS %s\n", a) },
		CheckpointEvery: every,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// child is a receiver running as its own process.
type child struct {
	cmd         *exec.Cmd
	addr        string
	metricsAddr string
	stderr      *bytes.Buffer
}

func startChild(t testing.TB, cfgPath, logDir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CAREQ_TEST_CHILD=serve", "CAREQ_TEST_CONFIG="+cfgPath,
		"CAREQ_TEST_LOG_DIR="+logDir, PIIKeyEnv+"="+piiKey)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "METRICS "); ok {
				c.metricsAddr = a // printed before LISTEN
			}
			if a, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
				line <- a
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case c.addr = <-line:
	case <-time.After(20 * time.Second):
		t.Fatalf("receiver did not start: %s", c.stderr)
	}
	return c
}

func writeTestConfig(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "serve.yaml")
	cfg := "clinics:\n  - clinic_id: clinic_abc\n    tokens: [\"" + tokA1 + "\"]\n    signing_secrets: [\"" + secA1 + "\"]\n"
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func crashPatient(i int) []byte {
	return []byte(fmt.Sprintf(`{"careq_id": %d, "clinic_id": "clinic_abc", "first_name": "Crash", "last_name": "Test%d",`+
		` "phone_number": "9%09d", "updated_at": "2026-11-20T10:00:00Z"}`, 1_000_000+i, i, i))
}

// kill -9 under constant load while the receiver checkpoints every 3 ms:
// every call acknowledged 2xx before the kill is in the log after the
// restart (which repairs the torn segment and drops the torn checkpoint
// write), the state restored from the checkpoint and the log after it is
// the state the whole log gives, and a retry is answered from the restored
// idempotency table. Rounds go on until a kill has landed in the middle of a
// checkpoint write (its temporary file left behind), at most eight.
func TestKill9UnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts receiver processes")
	}
	cfgPath, logDir := writeTestConfig(t), t.TempDir()
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	hc := loadClient(32)
	var (
		mu    sync.Mutex
		acked = map[int][]byte{}
	)
	offset, tornWrites := 0, 0
	for round := 0; round < 8 && (round < 2 || tornWrites == 0); round++ {
		c := startChild(t, cfgPath, logDir, "CAREQ_TEST_CHECKPOINT_EVERY=3ms")
		client := NewClient("http://"+c.addr, tokA1, secA1, SignedBody)
		client.HTTP = hc
		ctx, cancel := context.WithCancel(context.Background())
		killed := make(chan struct{})
		go func() {
			time.Sleep(1200 * time.Millisecond)
			c.cmd.Process.Signal(syscall.SIGKILL)
			close(killed)
			time.Sleep(100 * time.Millisecond) // keep sending into the dead port for a moment
			cancel()
		}()
		base := offset
		res := runLoad(ctx, 800, 2*time.Second, 32, func(i int) bool {
			status, body, err := client.Send(context.Background(), "patient", crashPatient(base+i))
			if err != nil || status != 201 {
				return false
			}
			mu.Lock()
			acked[base+i] = body
			mu.Unlock()
			return true
		})
		cancel()
		<-killed
		c.cmd.Wait()
		offset += res.Scheduled
		t.Logf("round %d: %d scheduled, %d acknowledged, %d failed around the kill", round, res.Scheduled, res.OK, res.Failed)
		if res.OK < 100 || res.Failed == 0 {
			t.Fatalf("round %d: the kill did not land under load (%d ok, %d failed)", round, res.OK, res.Failed)
		}
		if tmps, _ := filepath.Glob(filepath.Join(logDir, "."+careqlog.CheckpointName+".tmp-*")); len(tmps) > 0 {
			tornWrites++
		}
		// The state restored (checkpoint + log after it) is the state of
		// the whole log.
		s, err := New(ServerOptions{Config: cfg, PIIKey: []byte(piiKey), LogDir: logDir})
		if err != nil {
			t.Fatal(err)
		}
		got, from := dumpState(s), s.checkpointed.Load()
		s.Close()
		if from == 0 {
			t.Fatalf("round %d: no checkpoint was used", round)
		}
		if want := rebuiltWith(t, cfg, logDir); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: the state restored from the checkpoint at seq %d differs from the whole log's", round, from)
		}
	}
	if tornWrites == 0 {
		t.Fatal("no kill landed during a checkpoint write")
	}
	t.Logf("%d kills landed during a checkpoint write", tornWrites)

	// Restart: the torn segment is repaired; every acknowledged call is there.
	c := startChild(t, cfgPath, logDir)
	logged := map[int64]bool{}
	for _, r := range readAll(t, logDir) {
		if r.Status == 201 {
			logged[r.CareQID] = true
		}
	}
	missing := 0
	for i := range acked {
		if !logged[int64(1_000_000+i)] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged calls are not in the log", missing, len(acked))
	}
	t.Logf("%d acknowledged calls, all in the log (%d records)", len(acked), len(logged))
	// Retries of acknowledged calls get the stored answer, byte for byte.
	client := NewClient("http://"+c.addr, tokA1, secA1, SignedBody)
	n := 0
	for i, body := range acked {
		status, got, err := client.Send(context.Background(), "patient", crashPatient(i))
		if err != nil || status != 201 || !bytes.Equal(got, body) {
			t.Fatalf("retry of %d after restart: %d %s %v, first answer %s", i, status, got, err, body)
		}
		if n++; n == 20 {
			break
		}
	}
	// A graceful stop seals the open segment.
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v: %s", err, c.stderr)
	}
	if open, _ := careqlog.OpenSegments(logDir); len(open) != 0 {
		t.Fatalf("open segments after a graceful stop: %v", open)
	}
}
