package warehouse

import (
	"fmt"
	"strings"

	"carelake/schemas"
)

// ByChangeSQL rebuilds the snapshots of a table stored by change
// (docs/architecture.md, "CQC history by change"): an owner's version runs
// from the snapshot_date of its cqc_changes row to the next one, and its
// rows are those stored on that date. <schema>.<t> has every snapshot
// (a version spread over the snapshots it spans), <schema>.<t>_latest the
// newest (the versions still open), and the macro <t>_as_of(day) the
// newest snapshot on or before day. They read <schema>.<t>_stored and
// <schema>.<t>_versions (StoredSQL of t and of schemas.Versions(t)). Every
// join is an equi-join on (owner, snapshot_date).
func ByChangeSQL(schema string, t schemas.Table) string {
	var b strings.Builder
	name := t.Relation()
	ds := schema + "." + name
	owner := "s." + Ident(t.Owner[0])
	if len(t.Owner) > 1 {
		cols := make([]string, len(t.Owner))
		for i, c := range t.Owner {
			cols[i] = "s." + Ident(c)
		}
		owner = "concat_ws('/', " + strings.Join(cols, ", ") + ")"
	}
	// lead with one argument: a view with lead's offset and default, written
	// by DuckDB 2.0, does not bind in DuckDB 1.4 and 1.5 (make compat).
	versions := fmt.Sprintf(`SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM %s_versions WHERE owner IS NOT NULL`, ds)
	dates := fmt.Sprintf("SELECT snapshot_date FROM %s_versions WHERE owner IS NULL", ds)
	join := fmt.Sprintf("JOIN %s_stored s ON %s = v.owner AND s.snapshot_date = v.valid_from", ds, owner)

	// The stored rows meet their version first and are spread over its
	// snapshot dates after, so a filter on a column (one location's history)
	// narrows the stored rows before anything is multiplied.
	fmt.Fprintf(&b, "\n-- %s: every snapshot\nCREATE OR REPLACE VIEW %s AS\nWITH v AS (\n    %s\n), d AS (\n    SELECT list(snapshot_date) AS dates FROM (%s)\n)\n"+
		"SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date\n"+
		"FROM v\n%s\nCROSS JOIN d\nWHERE NOT v.removed;\n", t.Dataset, ds, versions, dates, join)
	fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", ds, Quote(t.Doc+" Every snapshot, rebuilt from the versions in cqc_changes."))

	// The newest snapshot and the snapshot of a day keep the stored rows of
	// the versions in effect: a semi join, so DuckDB builds its hash table
	// on the versions and streams the stored rows past it (an inner join
	// could build on the stored rows, every column, which after a year at
	// national size outgrew the marts' memory cap).
	semi := fmt.Sprintf("SEMI JOIN v ON %s = v.owner AND s.snapshot_date = v.valid_from", owner)
	fmt.Fprintf(&b, "\n-- %s: the newest snapshot\nCREATE OR REPLACE VIEW %s_latest AS\nWITH v AS (\n    SELECT owner, valid_from FROM (%s)\n    WHERE valid_to = DATE '9999-12-31' AND NOT removed\n)\n"+
		"SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (%s)) AS snapshot_date\nFROM %s_stored s\n%s;\n",
		t.Dataset, ds, versions, dates, ds, semi)
	fmt.Fprintf(&b, "COMMENT ON VIEW %s_latest IS %s;\n", ds, Quote(t.Doc+" The newest snapshot."))

	// Versions change on snapshot dates only, so the versions in effect on
	// any day are those of the newest snapshot on or before it. A day
	// before the oldest snapshot has none, even where the history was cut
	// (a version kept keeps its date, older than the oldest snapshot kept).
	fmt.Fprintf(&b, "\n-- %s: the snapshot of a day\nCREATE OR REPLACE MACRO %s_as_of(day) AS TABLE\nWITH v AS (\n    SELECT owner, valid_from FROM (%s)\n"+
		"    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed\n"+
		"        AND (SELECT min(snapshot_date) FROM (%s)) <= CAST(day AS DATE)\n)\n"+
		"SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (%s) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date\nFROM %s_stored s\n%s;\n",
		t.Dataset, name, versions, dates, dates, ds, semi)
	return b.String()
}

// StoredSQL is the query over the files of t as stored: for a table whose
// closed months are compacted (schemas.Compacted), its nightly partitions
// except those of a month already compacted (left by a compaction that
// stopped before removing them: the same rows), and its compacted months;
// for any other table, read(t). read is the query over the files of a
// table (a glob, or an empty relation when none exists). The columns are
// those of read(t).
func StoredSQL(t schemas.Table, read func(schemas.Table) (string, error)) (string, error) {
	nightly, err := read(t)
	c, ok := schemas.Compacted(t)
	if err != nil || !ok {
		return nightly, err
	}
	compacted, err := read(c)
	if err != nil {
		return "", err
	}
	keys := []string{"snapshot_month"}
	on := []string{"m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')"}
	for _, k := range t.PartitionBy {
		if k != "snapshot_date" {
			keys = append(keys, Ident(k))
			on = append(on, fmt.Sprintf("m.%s = n.%s", Ident(k), Ident(k)))
		}
	}
	// No CTE: one read twice would be materialised whole, every column of
	// every compacted row, before a query's projection reached it.
	return fmt.Sprintf("SELECT n.* FROM (%s) n\nANTI JOIN (SELECT DISTINCT %s FROM (%s)) m ON %s\nUNION ALL BY NAME\nSELECT * EXCLUDE (snapshot_month) FROM (%s)",
		nightly, strings.Join(keys, ", "), compacted, strings.Join(on, " AND "), compacted), nil
}

// VersionsSQL is the query over the versions of t, a table stored by change
// (schemas.Versions): its rows of cqc/changes, with their snapshot_date and
// without table_name, which DuckDB would otherwise add from the directory
// names.
func VersionsSQL(t schemas.Table, read func(schemas.Table) (string, error)) (string, error) {
	v := schemas.Versions(t)
	rel, err := StoredSQL(v, read)
	if err != nil {
		return "", err
	}
	cols := make([]string, 0, v.Schema.NumFields()+1)
	for _, f := range v.Schema.Fields() {
		cols = append(cols, Ident(f.Name))
	}
	return fmt.Sprintf("SELECT %s, snapshot_date FROM (%s)", strings.Join(cols, ", "), rel), nil
}
