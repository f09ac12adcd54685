// Package docrefs holds the test that every Markdown file the repository
// cites exists in the repository: code and docs cite docs/architecture.md
// and friends, never a file only some checkouts have.
package docrefs

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mdRef matches a path ending in .md, as code and docs write one.
var mdRef = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)

// outside matches a citation of the design documents kept outside the
// repository (the brief's shared/ folder and its seeds/).
var outside = regexp.MustCompile(`\b(shared|seeds)/[A-Za-z0-9_.-]+`)

// scanned says which files are read for references.
func scanned(path string) bool {
	switch filepath.Ext(path) {
	case ".go", ".sql", ".md", ".sh", ".mjs", ".js", ".yml", ".yaml":
		return true
	}
	base := filepath.Base(path)
	return base == "Makefile" || base == "run"
}

func TestCitedMarkdownFilesExist(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") && name != ".ci" || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !scanned(path) {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if ref := outside.FindString(text); ref != "" {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d cites %s, a document outside the repository: cite docs/architecture.md (add a section) instead", rel, line, ref)
			}
			for _, loc := range mdRef.FindAllStringIndex(text, -1) {
				ref := text[loc[0]:loc[1]]
				if isURL(text[:loc[0]]) {
					continue
				}
				checked++
				if !exists(root, filepath.Dir(path), ref) {
					rel, _ := filepath.Rel(root, path)
					t.Errorf("%s:%d cites %s, which is not in the repository: cite docs/architecture.md (add a section) instead", rel, line, ref)
				}
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Markdown reference found: the scan is broken")
	}
}

// isURL reports whether the text before a reference ends inside a URL.
func isURL(before string) bool {
	i := strings.LastIndexAny(before, " \t\"'`(<[")
	return strings.Contains(before[i+1:], "://")
}

// exists reports whether ref names a file relative to the repository root
// or to the citing file's directory.
func exists(root, dir, ref string) bool {
	for _, base := range []string{root, dir} {
		if _, err := os.Stat(filepath.Join(base, ref)); err == nil {
			return true
		}
	}
	return false
}
