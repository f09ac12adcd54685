package loaded

import (
	"path/filepath"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas/warehouse"
)

// StateFile is state/load.json: which output of each stage load has stored.
// Load records an output once every partition of it is in place; resolve
// reads it to tell whether the register it saved is the warehouse's latest
// snapshot (docs/architecture.md, "Resolve reads only what a night's
// changes reach").
func StateFile(root string) string { return filepath.Join(warehouse.StateDir(root), "load.json") }

// State is the content of StateFile.
type State struct {
	Stages map[string]Stage `json:"stages"`
}

// Stage is the stored output of one stage.
type Stage struct {
	RunID string `json:"run_id"`
	// CreatedAt is the stage output's commit time: with RunID it identifies
	// the output even if a run ID were reused.
	CreatedAt  time.Time `json:"created_at"`
	LoadedAt   time.Time `json:"loaded_at"`
	Partitions int       `json:"partitions"`
	Rows       int64     `json:"rows"`
}

// ReadState reads StateFile; it is empty when there is none.
func ReadState(root string) (*State, error) {
	st := &State{}
	if err := durable.LoadJSON(StateFile(root), st); err != nil {
		return nil, err
	}
	if st.Stages == nil {
		st.Stages = map[string]Stage{}
	}
	return st, nil
}

// Save replaces StateFile with st, atomically and durably.
func (st *State) Save(root string) error { return durable.SaveJSON(StateFile(root), st) }

// Loaded reports whether the output of stage with this run ID and commit
// time is the one recorded as stored.
func (st *State) Loaded(stage, runID string, createdAt time.Time) bool {
	prev, ok := st.Stages[stage]
	return ok && prev.RunID == runID && prev.CreatedAt.Equal(createdAt)
}
