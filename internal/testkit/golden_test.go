package testkit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.errs = append(r.errs, f) }
func (r *recorder) Fatalf(f string, a ...any) { r.errs = append(r.errs, f); panic(r) }
func (r *recorder) Fatal(a ...any)            { r.errs = append(r.errs, "fatal"); panic(r) }

func run(t *testing.T, f func(tb testing.TB)) []string {
	t.Helper()
	r := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil && p != r {
				panic(p)
			}
		}()
		f(r)
	}()
	return r.errs
}

func TestGoldenComparesAndRewrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "a.txt")
	if errs := run(t, func(tb testing.TB) { Golden(tb, path, []byte("x\n")) }); len(errs) != 1 {
		t.Fatalf("a missing golden file passed: %v", errs)
	}
	*update = true
	run(t, func(tb testing.TB) { Golden(tb, path, []byte("x\ny\n")) })
	*update = false
	if errs := run(t, func(tb testing.TB) { Golden(tb, path, []byte("x\ny\n")) }); len(errs) != 0 {
		t.Fatalf("the rewritten file differs: %v", errs)
	}
	if errs := run(t, func(tb testing.TB) { Golden(tb, path, []byte("x\nz\n")) }); len(errs) != 1 {
		t.Fatalf("a changed line passed: %v", errs)
	}
}

func TestGoldenDirNamesStrayAndChangedFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "golden")
	files := map[string][]byte{"a.jsonl": []byte("1\n"), "b.jsonl": nil}
	*update = true
	run(t, func(tb testing.TB) { GoldenDir(tb, dir, files) })
	*update = false
	if _, err := os.Stat(filepath.Join(dir, "b.jsonl")); !os.IsNotExist(err) {
		t.Fatal("an empty content got a file")
	}
	if errs := run(t, func(tb testing.TB) { GoldenDir(tb, dir, files) }); len(errs) != 0 {
		t.Fatalf("unchanged files failed: %v", errs)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.jsonl"), []byte("2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	errs := run(t, func(tb testing.TB) { GoldenDir(tb, dir, map[string][]byte{"a.jsonl": []byte("3\n")}) })
	if len(errs) != 2 || !strings.Contains(strings.Join(errs, " "), "nothing to compare") {
		t.Fatalf("want a stray file and a changed file reported, got %v", errs)
	}
}

func TestDiffNamesTheFirstDifferentLine(t *testing.T) {
	if d := diff([]byte("a\nb\nc"), []byte("a\nX\nc")); !strings.Contains(d, "line 2") || !strings.Contains(d, "- X\n") || !strings.Contains(d, "+ b\n") {
		t.Fatal(d)
	}
	if d := diff([]byte("a\n"), []byte("a\n")); d != "" {
		t.Fatal(d)
	}
}
