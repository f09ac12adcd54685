// Package deps holds the test of carelake's package graph, in the style of
// Go's go/build/deps_test.go: the rules below say which of carelake's
// packages each package may import, and the test fails on any other edge.
// They are the graph docs/architecture.md ("Packages") draws:
//
//	cmd/carelake                              the commands: may import anything
//	  internal/...                            simulators, generators, test kits
//	    stages: extract -> normalise -> resolve -> load -> marts -> catalog
//	            (never each other: each reads the formats the one before wrote)
//	      pipeline                            the runner and the run lock
//	        schemas/...                       the formats between stages
//	          schemas                         payloads, tables, views
//	            pipeline/durable              durable files (a utility)
package deps

import (
	"encoding/json"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

const module = "carelake/"

// stageFormats is every stage with the formats (and utilities) it may
// import: what it reads from the stage before it and writes for the next.
var stageFormats = map[string][]string{
	// CQC API -> raw archive; reads the IDs resolve wants fetched; writes
	// the locations that left a filtered scope.
	"stages/extract/cqc": {"schemas", "schemas/archive", "schemas/leftscope", "schemas/wanted", "schemas/warehouse", "pipeline/durable"},
	// CareQ's calls -> the receiver's log.
	"stages/extract/receiver": {"schemas", "schemas/careqlog", "schemas/loaded", "pipeline/durable"},
	// raw archive (and the locations that left a filtered scope), against
	// the warehouse's latest snapshot -> staged CQC tables; saves its index
	// of each sealed archive segment.
	"stages/normalise": {"schemas", "schemas/archive", "schemas/batch", "schemas/leftscope", "schemas/staging", "schemas/warehouse", "pipeline/durable"},
	// the receiver's log -> staged CareQ tables (skipping the segments loaded).
	"stages/normalise/careqnorm": {"schemas", "schemas/careqlog", "schemas/batch", "schemas/staging", "schemas/loaded", "schemas/warehouse"},
	// staged CQC tables -> staged lineage, rating sources, clinics; the wanted IDs.
	"stages/resolve": {"schemas", "schemas/batch", "schemas/loaded", "schemas/staging", "schemas/wanted", "schemas/warehouse", "pipeline/durable"},
	// staged tables -> the warehouse's Parquet; marks inputs loaded.
	"stages/load": {"schemas", "schemas/staging", "schemas/loaded", "schemas/warehouse", "pipeline/durable"},
	// the warehouse's Parquet -> the marts.
	"stages/marts": {"schemas", "schemas/warehouse", "sql", "pipeline/durable"},
	// the warehouse's Parquet and marts -> carelake.duckdb.
	"stages/catalog": {"schemas", "schemas/warehouse", "sql", "pipeline/durable"},
}

// rules says, for a package pattern (a path, or a path ending in /...),
// which of carelake's packages it may import.
var rules = []struct {
	pattern string
	allow   []string
}{
	{"pipeline/durable", nil},
	{"schemas", nil},
	{"sql", nil},
	{"data", nil},
	{"schemas/...", []string{"schemas", "schemas/...", "pipeline/durable"}},
	{"pipeline", []string{"pipeline/durable", "schemas/warehouse"}},
	// Simulators, generators and test kits imitate or drive a stage.
	{"internal/...", []string{"internal/...", "stages/...", "schemas", "schemas/...", "sql", "pipeline", "pipeline/durable"}},
	{"cmd/...", []string{"..."}},
}

func matches(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return strings.HasPrefix(pkg, prefix+"/")
	}
	return pkg == pattern
}

// allowed is what pkg may import, and whether any rule covers it.
func allowed(pkg string) ([]string, bool) {
	if formats, ok := stageFormats[pkg]; ok {
		return formats, true
	}
	for _, r := range rules {
		if matches(r.pattern, pkg) {
			return r.allow, true
		}
	}
	return nil, false
}

// TestPackageGraph lists every package of the module with its imports (not
// its tests') and fails on an edge the rules do not allow, and on a package
// no rule covers.
func TestPackageGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "carelake/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	stages := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkg := strings.TrimPrefix(p.ImportPath, module)
		if pkg == "carelake" || strings.HasPrefix(pkg, "internal/deps") {
			continue
		}
		allow, ok := allowed(pkg)
		if !ok {
			t.Errorf("%s: no rule says what it may import: add it to internal/deps/deps_test.go and docs/architecture.md", pkg)
			continue
		}
		if _, isStage := stageFormats[pkg]; isStage {
			stages++
		} else if strings.HasPrefix(pkg, "stages/") {
			t.Errorf("%s: a package under stages/ that is no stage: a stage's helpers live in its package, formats under schemas/, test support under internal/", pkg)
		}
		for _, imp := range p.Imports {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			if !slices.ContainsFunc(allow, func(a string) bool { return matches(a, dep) }) {
				t.Errorf("%s imports %s: not an edge of the package graph (internal/deps/deps_test.go)", pkg, dep)
			}
		}
	}
	if stages != len(stageFormats) {
		t.Errorf("found %d of the %d stages the rules name", stages, len(stageFormats))
	}
}

// TestRulesNameRealPackages keeps the rules honest: every stage they name
// exists (a rename must update them).
func TestRulesNameRealPackages(t *testing.T) {
	for pkg := range stageFormats {
		if err := exec.Command("go", "list", path.Join("carelake", pkg)).Run(); err != nil {
			t.Errorf("the rules name %s, which is not a package: %v", pkg, err)
		}
	}
}
