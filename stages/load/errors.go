package load

import "errors"

var (
	// ErrUnknownTable means a stage staged a table that is not registered in
	// schemas/: register it there (schemas.Table) or fix the stage.
	ErrUnknownTable = errors.New("table is not registered in schemas")
	// ErrSchemaMismatch means a staged partition's Arrow schema differs from
	// the table's registered schema: the stage and schemas/ disagree.
	ErrSchemaMismatch = errors.New("staged schema differs from the registered schema")
	// ErrBadPartition means a staged partition path does not follow the
	// table's hive layout (<dataset>/<key>=<value>/..., keys as registered).
	ErrBadPartition = errors.New("bad partition path")
	// ErrNoLicence means a stage output lacks the licence or source metadata
	// that every Parquet file must carry (docs/architecture.md, "Parquet policy").
	ErrNoLicence = errors.New("stage output lacks licence or source metadata")
	// ErrConflict means two stages staged the same partition in one load.
	ErrConflict = errors.New("two stages staged the same partition")
)
