package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"carelake/schemas/archive"
)

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestCQCSimDoneWhen runs `carelake cqc-sim --addr 127.0.0.1:PORT --locations
// 2000` in-process and does the issue's "Done when" checks over loopback: a
// paging walk with perPage=1000 returns 2,000 distinct IDs, a call without a
// key gets 401, and the 101st call within 60 s is refused.
func TestCQCSimDoneWhen(t *testing.T) {
	addr := freeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runApp(ctx, []string{"carelake", "cqc-sim", "--addr", addr, "--locations", "2000"}, io.Discard, &stderr)
	}()
	base := "http://" + addr
	get := func(path, key string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("Ocp-Apim-Subscription-Key", key)
		}
		req.Header.Set("User-Agent", "carelake-cli-test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _ := get("/_sim/stats", ""); status == 200 {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("cqc-sim exited %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("cqc-sim did not come up: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	began := time.Now()

	calls := 0
	ids := map[string]bool{}
	for next := "/locations?perPage=1000"; next != ""; {
		status, body := get("/public/v1"+next, "test-key")
		calls++
		if status != 200 {
			t.Fatalf("GET %s: %d %s", next, status, body)
		}
		var page struct {
			NextPageURI *string `json:"nextPageUri"`
			Locations   []struct {
				LocationID string `json:"locationId"`
			} `json:"locations"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for _, l := range page.Locations {
			if ids[l.LocationID] {
				t.Fatalf("%s listed twice", l.LocationID)
			}
			ids[l.LocationID] = true
		}
		next = ""
		if page.NextPageURI != nil {
			next = *page.NextPageURI
		}
	}
	if len(ids) != 2000 {
		t.Fatalf("paging walk returned %d distinct IDs, want 2000", len(ids))
	}

	if status, body := get("/public/v1/locations", ""); status != 401 || !bytes.Contains(body, []byte("subscription key")) {
		t.Fatalf("without a key: %d %s", status, body)
	}

	for ; calls < 100; calls++ {
		if status, body := get("/public/v1/inspection-areas", "test-key"); status != 200 {
			t.Fatalf("call %d: %d %s", calls+1, status, body)
		}
	}
	status, body := get("/public/v1/inspection-areas", "test-key")
	if status != 429 || !bytes.Contains(body, []byte("Rate limit is exceeded")) {
		t.Fatalf("101st call: %d %s", status, body)
	}
	if time.Since(began) >= time.Minute {
		t.Fatalf("the calls took %s: the 101st was not within 60 s", time.Since(began))
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("cqc-sim did not stop on cancel")
	}
	logs := stderr.String()
	for _, want := range []string{"cqc-sim serving", base + "/public/v1", "curl -H 'Ocp-Apim-Subscription-Key: test-key'", "cqc-sim stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestCQCSimWriteArchive(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := run(t, "cqc-sim", "--write-archive", "--out", out, "--locations", "150", "--embedded-fixtures", "--log-level", "warn")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	n := map[string]int{}
	if _, err := archive.Scan(out, func(r *archive.Record) error {
		n[r.Endpoint]++
		if r.Status != 200 || len(r.Body) == 0 {
			t.Errorf("%s: status %d, %d body bytes", r.URL, r.Status, len(r.Body))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n[archive.EndpointLocation] != 150+20 || n[archive.EndpointProvider] < 50 || n[archive.EndpointInspectionAreas] != 1 ||
		!strings.Contains(stdout, "wrote 170 location") {
		t.Fatalf("archived %v; stdout %q", n, stdout)
	}
}

func TestCQCSimRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--throttle", "sometimes"}, "--throttle"},
		{[]string{"--fault-5xx", "1.5"}, "--fault-5xx"},
		{[]string{"--locations", "0"}, "--locations"},
		{[]string{"--locations", "-3"}, "--locations"},
		{[]string{"--end", "yesterday"}, "--end"},
		{[]string{"--clock", "soon"}, "--clock"},
		{[]string{"--addr", "8081"}, "--addr"},
		{[]string{"--rate-limit", "0"}, "--rate-limit"},
		{[]string{"--latency-min", "2s", "--latency-max", "1s"}, "--latency-max"},
		{[]string{"--fixtures", "/nonexistent"}, "fixtures"},
		{[]string{"extra-argument"}, "no arguments"},
	} {
		code, _, stderr := run(t, append([]string{"cqc-sim", "--locations", "10"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.flag) {
			t.Errorf("%v: exit %d, stderr %q (want %d naming %s)", tc.args, code, stderr, exitUsage, tc.flag)
		}
	}
}
