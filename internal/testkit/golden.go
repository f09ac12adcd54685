// Package testkit is carelake's test support: golden files and staged
// output as JSON lines here, synthetic stage output in loadtest, Parquet
// interoperability and policy checks in parquetcheck, DuckDB checks in
// duckdbcheck and careqduck. Only tests import it.
package testkit

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files (and generated files checked in beside them) instead of comparing")

// Update reports whether the test run was asked (-update) to rewrite its
// golden files rather than compare with them.
func Update() bool { return *update }

// Golden compares got with the file at path, or writes got there when the
// test runs with -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if d := diff(got, want); d != "" {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", path, d)
	}
}

// GoldenDir compares files (name -> content) with the files in dir, or
// rewrites dir with them when the test runs with -update. An empty content
// has no file; a file in dir that files does not name fails the test.
func GoldenDir(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for name, got := range files {
			if len(got) > 0 {
				write(t, filepath.Join(dir, name), got)
			}
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok && !e.IsDir() {
			t.Errorf("golden file %s has nothing to compare with (go test -update removes it)", filepath.Join(dir, e.Name()))
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		want, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if d := diff(files[name], want); d != "" {
			t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", path, d)
		}
	}
}

func write(t testing.TB, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil { //nolint:gosec // golden files are checked in, world-readable
		t.Fatal(err)
	}
}

// diffLines bounds how many lines diff lists on each side.
const diffLines = 20

// diff describes how got differs from want, or is empty when they are
// equal: the first line that differs, then the lines only in want (-) and
// only in got (+), at most diffLines of each.
func diff(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	var b strings.Builder
	for i := 0; ; i++ {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			fmt.Fprintf(&b, "first difference at line %d (got %d lines, want %d)\n", i+1, len(g), len(w))
			break
		}
	}
	only := func(sign string, lines, other []string) {
		in := make(map[string]bool, len(other))
		for _, l := range other {
			in[l] = true
		}
		n := 0
		for _, l := range lines {
			if l == "" || in[l] {
				continue
			}
			if n++; n > diffLines {
				fmt.Fprintf(&b, "%s ...\n", sign)
				return
			}
			fmt.Fprintf(&b, "%s %s\n", sign, l)
		}
	}
	only("-", w, g)
	only("+", g, w)
	return b.String()
}
