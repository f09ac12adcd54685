package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carelake/internal/cqcsim"
	"carelake/pipeline"
	"carelake/stages/extract/cqc"
)

// extractSim serves a small simulated CQC API without a rate limit.
func extractSim(t *testing.T, cfg cqcsim.Config) (*cqcsim.Sim, string) {
	t.Helper()
	if cfg.Locations == 0 {
		cfg.Locations = 40
	}
	cfg.RateLimit = -1
	sim, err := cqcsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv.URL + "/public/v1"
}

func runExtractCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runApp(context.Background(), append([]string{"carelake", "extract"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// The command end to end: the key from CQC_API_KEY, the summary printed and
// written as JSON, the archive filled.
func TestExtractCommand(t *testing.T) {
	const key = "sk-cli-7d1e0b55c2"
	sim, base := extractSim(t, cqcsim.Config{APIKeys: []string{key}})
	t.Setenv("CQC_API_KEY", key)
	out := t.TempDir()
	summaryPath := filepath.Join(t.TempDir(), "summary.json")
	code, stdout, stderr := runExtractCLI(t, "--out", out, "--cqc-base-url", base, "--rate-limit", "1000",
		"--rate-window", "1s", "--summary-json", summaryPath, "--progress", "never", "--log-level", "debug")
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "CQC extract (auto, scope all") || !strings.Contains(stdout, "backfill: complete") {
		t.Fatalf("summary not printed:\n%s", stdout)
	}
	b, err := os.ReadFile(summaryPath)
	if err != nil {
		t.Fatal(err)
	}
	var sum cqc.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	want := len(sim.LocationIDs()) + len(sim.ProviderIDs())
	if sum.Outcome != cqc.OutcomeComplete || sum.Items.New != want || sum.Calls.Total != len(sim.Requests()) {
		t.Fatalf("summary %+v; want %d new, %d calls", sum, want, len(sim.Requests()))
	}
	if strings.Contains(stdout+stderr+string(b), key) {
		t.Fatal("the API key was printed")
	}
	if _, err := os.Stat(cqc.StatePath(out)); err != nil {
		t.Fatalf("no state file: %v", err)
	}
	for _, r := range sim.Requests() {
		if r.Key != key {
			t.Fatalf("request without the key from CQC_API_KEY: %+v", r)
		}
	}
}

// Bad command lines are refused with exit 2 before any I/O, naming the flag.
func TestExtractCommandRefusesBadFlags(t *testing.T) {
	t.Setenv("CQC_API_KEY", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no key", nil, "CQC_API_KEY"},
		{"bad mode", []string{"--cqc-api-key", "k", "--mode", "sometimes"}, "--mode"},
		{"bad budget", []string{"--cqc-api-key", "k", "--budget", "lots"}, "--budget"},
		{"clinics without a file", []string{"--cqc-api-key", "k", "--scope", "clinics"}, "--clinics"},
		{"bad scope", []string{"--cqc-api-key", "k", "--scope", "nation"}, "--scope"},
		{"bad care home", []string{"--cqc-api-key", "k", "--care-home", "maybe"}, "--care-home"},
		{"bad progress", []string{"--cqc-api-key", "k", "--progress", "loud"}, "--progress"},
		{"bad base URL", []string{"--cqc-api-key", "k", "--cqc-base-url", "ftp://x"}, "--cqc-base-url"},
		{"bad rate", []string{"--cqc-api-key", "k", "--rate-limit", "0"}, "--rate-limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "warehouse")
			code, _, stderr := runExtractCLI(t, append([]string{"--out", out}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q: want exit 2 naming %s", code, stderr, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("the warehouse was touched before the flags were checked")
			}
		})
	}
}

// A revoked key stops the run with exit 1 and a message naming CQC_API_KEY.
func TestExtractCommandUnauthorized(t *testing.T) {
	_, base := extractSim(t, cqcsim.Config{Faults: cqcsim.Faults{Unauthorized: true}}) //nolint:misspell // the simulator's field
	code, stdout, stderr := runExtractCLI(t, "--out", t.TempDir(), "--cqc-base-url", base,
		"--cqc-api-key", cqcsim.DefaultAPIKey, "--progress", "never")
	if code != 1 || !strings.Contains(stderr, "401") || !strings.Contains(stderr, "check CQC_API_KEY") {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stdout, "failed") {
		t.Fatalf("summary should say the run failed:\n%s", stdout)
	}
	if strings.Contains(stdout+stderr, cqcsim.DefaultAPIKey) {
		t.Fatal("the API key was printed")
	}
}

// Flags come from CARELAKE_* variables too; list filters keep commas
// ("Bristol, City of") and repeat.
func TestExtractCommandEnvAndFilters(t *testing.T) {
	sim, base := extractSim(t, cqcsim.Config{Locations: 300})
	t.Setenv("CARELAKE_CQC_BASE_URL", base)
	t.Setenv("CARELAKE_CQC_API_KEY", cqcsim.DefaultAPIKey)
	t.Setenv("CARELAKE_RATE_LIMIT", "1000")
	t.Setenv("CARELAKE_RATE_WINDOW", "1s")
	t.Setenv("CARELAKE_REGION", "South West;London")
	code, stdout, stderr := runExtractCLI(t, "--out", t.TempDir(), "--local-authority", "Bristol, City of",
		"--local-authority", "Merton", "--progress", "never")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var list string
	for _, r := range sim.Requests() {
		if r.Path == "/public/v1/locations" {
			list = r.Query
			break
		}
	}
	for _, want := range []string{"region=South+West", "region=London", "localAuthority=Bristol%2C+City+of", "localAuthority=Merton"} {
		if !strings.Contains(list, want) {
			t.Fatalf("list query %q lacks %s", list, want)
		}
	}
	// --mode changes from the environment, on a warehouse with no backfill.
	t.Setenv("CARELAKE_MODE", "changes")
	code, _, stderr = runExtractCLI(t, "--out", t.TempDir(), "--progress", "never")
	if code != 1 || !strings.Contains(stderr, "run a backfill first") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
}

// Another run holding the warehouse lock: refused, nothing called.
func TestExtractCommandHonoursTheRunLock(t *testing.T) {
	sim, base := extractSim(t, cqcsim.Config{})
	out := t.TempDir()
	lock, err := pipeline.AcquireLock(out, "run")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	code, _, stderr := runExtractCLI(t, "--out", out, "--cqc-base-url", base, "--cqc-api-key", cqcsim.DefaultAPIKey)
	if code != 1 || !strings.Contains(stderr, "lock") || len(sim.Requests()) != 0 {
		t.Fatalf("exit %d, %d calls, stderr %s", code, len(sim.Requests()), stderr)
	}
}

// With --summary-json -, stdout holds the JSON document only: the human
// summary and the progress bar go to stderr.
func TestExtractSummaryJSONOnStdout(t *testing.T) {
	_, base := extractSim(t, cqcsim.Config{})
	code, stdout, stderr := runExtractCLI(t, "--out", t.TempDir(), "--cqc-base-url", base, "--cqc-api-key", cqcsim.DefaultAPIKey,
		"--rate-limit", "1000", "--rate-window", "1s", "--budget", "3", "--summary-json", "-", "--progress", "always")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var sum cqc.Summary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Calls.Total != 3 {
		t.Fatalf("stdout is not the summary as JSON (%v):\n%s", err, stdout)
	}
	if !strings.Contains(stderr, "CQC extract (auto, scope all") {
		t.Fatalf("the human summary is not on stderr:\n%s", stderr)
	}
}

// The first Ctrl-C cancels the context: exit 130, and a message saying
// what is kept and how to go on; the run is recorded as cancelled.
func TestExtractInterrupted(t *testing.T) {
	_, base := extractSim(t, cqcsim.Config{})
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr := runContext(t, ctx, "extract", "--out", out, "--cqc-base-url", base, "--cqc-api-key", cqcsim.DefaultAPIKey, "--progress", "never")
	want := "carelake: interrupted during extract: everything archived so far is kept; run the same command again to continue\n"
	if code != exitInterrupted || !strings.HasSuffix(stderr, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 130 and %q", code, stderr, want)
	}
	runs, err := pipeline.Runs(out)
	if err != nil || len(runs) != 1 || runs[0].Outcome != pipeline.OutcomeCancelled {
		t.Fatalf("run history %+v, %v", runs, err)
	}
}
