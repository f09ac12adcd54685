package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"carelake/internal/careqgen"
	"carelake/schemas/careqlog"
	"carelake/stages/extract/receiver"
)

// BenchmarkRestart measures how long `carelake serve` takes to listen again,
// and its peak RSS by then, on a log of CARELAKE_RESTART_CALLS accepted
// calls (default 10,000,000: 50 clinics, a year, careqgen's mix, written
// straight to segments): first with no checkpoint (the whole log read, as
// before issue 11), then, after the graceful stop that wrote a checkpoint,
// from the checkpoint. Each start is its own process (the test binary as
// carelake). CARELAKE_BENCH_DIR keeps the generated log for later runs
// (about 10 GB and 20 minutes for 10,000,000 calls); otherwise it is
// removed.
func BenchmarkRestart(b *testing.B) {
	calls := int64(10_000_000)
	if v := os.Getenv("CARELAKE_RESTART_CALLS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("CARELAKE_RESTART_CALLS=%q", v)
		}
		calls = n
	}
	cache := os.Getenv("CARELAKE_BENCH_DIR")
	if cache == "" {
		cache = b.TempDir()
	}
	root := filepath.Join(cache, fmt.Sprintf("restart-%d", calls))
	logDir := careqlog.Dir(root)
	// careqgen's mix makes about 2.91 calls per appointment.
	gen := careqgen.Config{Appointments: int(float64(calls) / 2.91), Seed: 11}
	if _, err := os.Stat(filepath.Join(root, "generated")); err != nil {
		os.RemoveAll(root)
		start := time.Now()
		st, err := careqgen.Write(context.Background(), logDir, gen)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "generated"), []byte(fmt.Sprint(st.TotalCalls())), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d calls, %d segments, %.1f GB in %s", st.TotalCalls(), st.Segments,
			float64(st.Bytes)/1e9, time.Since(start).Round(time.Second))
	}
	cfg, err := careqgen.ReceiverConfig(gen)
	if err != nil {
		b.Fatal(err)
	}
	cfgYAML, err := yaml.Marshal(cfg)
	if err != nil {
		b.Fatal(err)
	}
	cfgPath := filepath.Join(b.TempDir(), "serve.yaml")
	if err := os.WriteFile(cfgPath, cfgYAML, 0o600); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		os.Remove(filepath.Join(logDir, careqlog.CheckpointName))
		without := startServeProcess(b, cfgPath, root)
		with := startServeProcess(b, cfgPath, root)
		b.ReportMetric(without.listen.Seconds(), "no-checkpoint-listen-s")
		b.ReportMetric(without.rssMB, "no-checkpoint-peak-rss-MB")
		b.ReportMetric(with.listen.Seconds(), "checkpoint-listen-s")
		b.ReportMetric(with.rssMB, "checkpoint-peak-rss-MB")
		b.ReportMetric(with.checkpoint.Seconds(), "checkpoint-write-s")
		b.Logf("without checkpoint: listening after %s, peak RSS %.0f MB; with: %s, %.0f MB (checkpoint %.0f MB, written in %s at the stop)",
			without.listen.Round(time.Millisecond), without.rssMB, with.listen.Round(time.Millisecond), with.rssMB,
			fileMB(filepath.Join(logDir, careqlog.CheckpointName)), with.checkpoint)
	}
}

func fileMB(path string) float64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(fi.Size()) / 1e6
}

// serveStart is one start of carelake serve: time until it listened, its
// peak RSS by then, and how long the checkpoint at its stop took.
type serveStart struct {
	listen     time.Duration
	rssMB      float64
	checkpoint time.Duration
}

// startServeProcess starts carelake serve on root, waits until it listens,
// reads its peak RSS, and stops it gracefully (which writes a checkpoint).
func startServeProcess(b *testing.B, cfgPath, root string) serveStart {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "serve", "--config", cfgPath, "--out", root,
		"--addr", "127.0.0.1:0", "--drain-delay", "0s", "--log-format", "json")
	cmd.Env = append(os.Environ(), benchMainEnv+"=1", receiver.PIIKeyEnv+"="+careqgen.DefaultPIIKey)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stderr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), `"careq: serving"`) {
			break
		}
	}
	listen := time.Since(start)
	if sc.Err() != nil || !strings.Contains(strings.Join(lines, "\n"), "careq: serving") {
		b.Fatalf("serve did not listen: %s", strings.Join(lines, "\n"))
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	var rssKB float64
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			rssKB, _ = strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		}
	}
	rest := make(chan string, 1)
	go func() { raw, _ := io.ReadAll(stderr); rest <- string(raw) }()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	out := <-rest
	if err := cmd.Wait(); err != nil {
		b.Fatalf("serve stop: %v", err)
	}
	var took time.Duration
	for _, l := range strings.Split(out, "\n") {
		var rec struct {
			Msg  string `json:"msg"`
			Took int64  `json:"took"` // slog's JSON: nanoseconds
		}
		if json.Unmarshal([]byte(l), &rec) == nil && rec.Msg == "careq: checkpoint written" {
			took = time.Duration(rec.Took)
		}
	}
	return serveStart{listen: listen, rssMB: rssKB / 1024, checkpoint: took}
}
