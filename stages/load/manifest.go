package load

import (
	"path/filepath"
	"slices"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// ManifestName is the warehouse manifest's file name under the root.
const ManifestName = "manifest.json"

// WarehouseManifest lists what load has put in the warehouse. It is
// replaced atomically after each stage output is loaded, so it may lag the
// files after a crash (never lead them) until the next load.
type WarehouseManifest struct {
	UpdatedAt time.Time           `json:"updated_at"`
	Datasets  map[string]*Dataset `json:"datasets"`
}

// Dataset is one table's directory (cqc/locations).
type Dataset struct {
	Doc         string   `json:"doc,omitempty"`
	PartitionBy []string `json:"partition_by,omitempty"`
	Rows        int64    `json:"rows"`
	Bytes       int64    `json:"bytes"`
	// Partitions by path (cqc/locations/snapshot_date=2026-11-21).
	Partitions map[string]*PartitionEntry `json:"partitions"`
}

// PartitionEntry is one partition directory and where it came from.
type PartitionEntry struct {
	Files    []warehouse.File `json:"files"`
	Rows     int64            `json:"rows"`
	Bytes    int64            `json:"bytes"`
	Stage    string           `json:"stage"`
	RunID    string           `json:"run_id"`
	LoadedAt time.Time        `json:"loaded_at"`
}

// ReadWarehouseManifest reads <root>/manifest.json; a warehouse never
// loaded has an empty one.
func ReadWarehouseManifest(root string) (*WarehouseManifest, error) {
	m := &WarehouseManifest{}
	if err := durable.LoadJSON(filepath.Join(root, ManifestName), m); err != nil {
		return nil, err
	}
	if m.Datasets == nil {
		m.Datasets = map[string]*Dataset{}
	}
	return m, nil
}

// record lists partition pr of table t as written by the given stage run.
func (m *WarehouseManifest) record(t schemas.Table, stage, runID string, pr PartitionResult, now time.Time) {
	ds := m.dataset(t)
	ds.Partitions[pr.Path] = &PartitionEntry{Files: pr.Files, Rows: pr.Rows, Bytes: pr.Bytes,
		Stage: stage, RunID: runID, LoadedAt: now}
	ds.total()
}

// drop removes partition path of table t from the manifest.
func (m *WarehouseManifest) drop(t schemas.Table, path string) {
	if ds := m.Datasets[t.Dataset]; ds != nil && ds.Partitions[path] != nil {
		delete(ds.Partitions, path)
		ds.total()
	}
}

func (m *WarehouseManifest) dataset(t schemas.Table) *Dataset {
	ds := m.Datasets[t.Dataset]
	if ds == nil {
		ds = &Dataset{Partitions: map[string]*PartitionEntry{}}
		m.Datasets[t.Dataset] = ds
	}
	ds.Doc, ds.PartitionBy = t.Doc, t.PartitionBy
	return ds
}

func (ds *Dataset) total() {
	ds.Rows, ds.Bytes = 0, 0
	for _, p := range ds.Partitions {
		ds.Rows += p.Rows
		ds.Bytes += p.Bytes
	}
}

// lists reports whether the manifest lists partition pr of table t with
// the files it has.
func (m *WarehouseManifest) lists(t schemas.Table, pr PartitionResult) bool {
	ds := m.Datasets[t.Dataset]
	if ds == nil || ds.Partitions[pr.Path] == nil {
		return false
	}
	return slices.Equal(ds.Partitions[pr.Path].Files, pr.Files)
}

func (m *WarehouseManifest) save(root string) error {
	m.UpdatedAt = time.Now().UTC()
	return durable.SaveJSON(filepath.Join(root, ManifestName), m)
}
