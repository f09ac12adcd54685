package pipeline

import (
	"path/filepath"
	"sort"
)

// Loaded inputs: the pipeline's record of which inputs (e.g. CareQ log
// segments) have reached the warehouse. A stage output declares the inputs
// it consumes (staging.Writer.Consumes); load marks them loaded once every
// partition of that output is in place; the stage then skips them on its
// next run. The record is an optimisation, not the guarantee: a crash
// between load and the mark makes the stage stage them again, and load's
// merge (schemas.Table.MergeKey) drops rows whose input a partition already
// holds, so an input still lands exactly once.

// loadedFile is state/loaded-<kind>.json: {"inputs": ["name", ...]}.
func loadedFile(root, kind string) string {
	return filepath.Join(StateDir(root), "loaded-"+kind+".json")
}

type loadedInputs struct {
	Inputs []string `json:"inputs"`
}

// LoadedInputs returns the inputs of a kind recorded as loaded.
func LoadedInputs(root, kind string) (map[string]bool, error) {
	var l loadedInputs
	if err := LoadJSON(loadedFile(root, kind), &l); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(l.Inputs))
	for _, n := range l.Inputs {
		out[n] = true
	}
	return out, nil
}

// MarkLoaded adds inputs of a kind to the loaded record, durably.
func MarkLoaded(root, kind string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	have, err := LoadedInputs(root, kind)
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
	return SaveJSON(loadedFile(root, kind), l)
}
