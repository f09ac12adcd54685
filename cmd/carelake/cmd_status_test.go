package main

import (
	"encoding/json"
	"strings"
	"testing"

	"carelake/pipeline"
)

// An empty warehouse: empty lists in JSON (never null), and a text status
// that says nothing is loaded rather than ending on an empty section.
func TestStatusOfAnEmptyWarehouse(t *testing.T) {
	root := t.TempDir()
	code, out, errOut := run(t, "status", "--out", root, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d, %s", code, errOut)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "null") || !strings.Contains(out, `"runs": []`) {
		t.Errorf("status --format json of an empty warehouse:\n%s", out)
	}
	code, out, _ = run(t, "status", "--out", root)
	if code != 0 || !strings.HasSuffix(out, "\nwarehouse: nothing loaded yet\n") {
		t.Errorf("status of an empty warehouse: exit %d\n%s", code, out)
	}
}

// While a run holds the warehouse, status says so and names it.
func TestStatusNamesTheRunningProcess(t *testing.T) {
	root := t.TempDir()
	lock, err := pipeline.AcquireLock(root, "run")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "status", "--out", root)
	lock.Release()
	if code != 0 || !strings.Contains(out, "running now: pid ") || !strings.Contains(out, ", run, since ") {
		t.Fatalf("status during a run: exit %d\n%s%s", code, out, errOut)
	}
	if _, out, _ = run(t, "status", "--out", root); strings.Contains(out, "running now") {
		t.Errorf("status after the run still says it runs:\n%s", out)
	}
}
