// Package loaded is the warehouse's record of which inputs (e.g. CareQ log
// segments) have reached it, state/loaded-<kind>.json: load writes it, the
// stage that reads those inputs (normalise-careq) skips what it lists.
//
// A stage output declares the inputs it consumes (staging.Writer.Consumes);
// load marks them loaded once every partition of that output is in place;
// the stage then skips them on its next run. The record is an optimisation,
// not the guarantee: a crash between load and the mark makes the stage stage
// them again, and load's merge (schemas.Table.MergeKey) drops rows whose
// input a partition already holds, so an input still lands exactly once.
package loaded

import (
	"path/filepath"
	"sort"

	"carelake/pipeline/durable"
	"carelake/schemas/warehouse"
)

// File is state/loaded-<kind>.json: {"inputs": ["name", ...]}.
func File(root, kind string) string {
	return filepath.Join(warehouse.StateDir(root), "loaded-"+kind+".json")
}

type loadedInputs struct {
	Inputs []string `json:"inputs"`
}

// Inputs returns the inputs of a kind recorded as loaded.
func Inputs(root, kind string) (map[string]bool, error) {
	var l loadedInputs
	if err := durable.LoadJSON(File(root, kind), &l); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(l.Inputs))
	for _, n := range l.Inputs {
		out[n] = true
	}
	return out, nil
}

// Mark adds inputs of a kind to the loaded record, durably.
func Mark(root, kind string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	have, err := Inputs(root, kind)
	if err != nil {
		return err
	}
	for _, n := range names {
		have[n] = true
	}
	l := loadedInputs{Inputs: make([]string, 0, len(have))}
	for n := range have {
		l.Inputs = append(l.Inputs, n)
	}
	sort.Strings(l.Inputs)
	return durable.SaveJSON(File(root, kind), l)
}
