package catalog

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	sqlfiles "carelake/sql"
	"carelake/stages/load"
)

// DatasetsSchema is the DuckDB schema holding one view per registered table
// over all of its Parquet files (every partition).
const DatasetsSchema = "datasets"

// RelationName is a table's view name: its dataset path with "/" as "_"
// (cqc/locations -> cqc_locations).
func RelationName(dataset string) string { return strings.ReplaceAll(dataset, "/", "_") }

// layout says where a script finds the Parquet files.
type layout struct {
	// root is the absolute warehouse root.
	root string
	// absolute writes absolute paths; otherwise paths are relative to root.
	absolute bool
	// resolve checks the disk: a dataset without files becomes an empty
	// relation typed from its schema (read_parquet refuses an empty glob).
	resolve bool
}

// pattern is the glob matching every Parquet file of t relative to the
// root: one key=* level per partition column, so nothing else under the
// dataset directory matches (load writes its temporary directories outside
// the datasets; only pipeline.ReplaceDir's fallback on a filesystem without
// RENAME_EXCHANGE briefly leaves a key=value.old directory, whose value then
// fails the DATE cast rather than adding rows). A *_month column is a
// string, which no cast guards: its level is key=????-??, which a
// key=2026-11.old directory does not match. Directories of a table's former
// layout (schemas.Table.FormerPartitionBy, folded by the next load) do not
// match either.
func pattern(t schemas.Table) string {
	parts := []string{t.Dataset}
	for _, k := range t.PartitionBy {
		if strings.HasSuffix(k, "_month") {
			parts = append(parts, k+"=????-??")
			continue
		}
		parts = append(parts, k+"=*")
	}
	return strings.Join(append(parts, "*.parquet"), "/")
}

// glob is the pattern as the script writes it.
func (l layout) glob(t schemas.Table) string {
	if l.absolute {
		return filepath.Join(l.root, filepath.FromSlash(pattern(t)))
	}
	return pattern(t)
}

func (l layout) hasFiles(t schemas.Table) (bool, error) {
	files, err := filepath.Glob(filepath.Join(l.root, filepath.FromSlash(pattern(t))))
	if err != nil {
		return false, fmt.Errorf("catalog: %s: %w", t.Dataset, err)
	}
	return len(files) > 0, nil
}

// relationSQL is the query over t's files: read_parquet with typed hive
// partition columns, or an empty relation of the same columns and types.
func (l layout) relationSQL(t schemas.Table) (string, error) {
	if l.resolve {
		ok, err := l.hasFiles(t)
		if err != nil {
			return "", err
		}
		if !ok {
			return emptyRelation(t)
		}
	}
	if len(t.PartitionBy) == 0 {
		return fmt.Sprintf("SELECT * FROM read_parquet(%s, hive_partitioning = false, union_by_name = true)", quote(l.glob(t))), nil
	}
	types := make([]string, len(t.PartitionBy))
	for i, k := range t.PartitionBy {
		typ, err := duckType(load.PartitionColumnType(k))
		if err != nil {
			return "", err
		}
		types[i] = quote(k) + ": " + typ
	}
	return fmt.Sprintf("SELECT * FROM read_parquet(%s, hive_partitioning = true, union_by_name = true, hive_types = {%s})",
		quote(l.glob(t)), strings.Join(types, ", ")), nil
}

// emptyRelation has t's columns (partition columns last, as read_parquet
// puts them) with DuckDB's types for what load writes, and no rows.
func emptyRelation(t schemas.Table) (string, error) {
	fields := t.Schema.Fields()
	for _, k := range t.PartitionBy {
		fields = append(fields, arrow.Field{Name: k, Type: load.PartitionColumnType(k)})
	}
	cols := make([]string, len(fields))
	for i, f := range fields {
		typ, err := duckType(f.Type)
		if err != nil {
			return "", fmt.Errorf("catalog: %s column %s: %w", t.Dataset, f.Name, err)
		}
		cols[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", typ, ident(f.Name))
	}
	return "SELECT " + strings.Join(cols, ", ") + " WHERE false", nil
}

// duckType is the DuckDB type DuckDB reads for a column load wrote from an
// Arrow type (timestamps are always written UTC-adjusted: TIMESTAMPTZ).
func duckType(t arrow.DataType) (string, error) {
	switch t := t.(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		return "VARCHAR", nil
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return "BLOB", nil
	case *arrow.Int8Type:
		return "TINYINT", nil
	case *arrow.Int16Type:
		return "SMALLINT", nil
	case *arrow.Int32Type:
		return "INTEGER", nil
	case *arrow.Int64Type:
		return "BIGINT", nil
	case *arrow.Uint8Type:
		return "UTINYINT", nil
	case *arrow.Uint16Type:
		return "USMALLINT", nil
	case *arrow.Uint32Type:
		return "UINTEGER", nil
	case *arrow.Uint64Type:
		return "UBIGINT", nil
	case *arrow.Float32Type:
		return "FLOAT", nil
	case *arrow.Float64Type:
		return "DOUBLE", nil
	case *arrow.BooleanType:
		return "BOOLEAN", nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return "DATE", nil
	case *arrow.TimestampType:
		return "TIMESTAMP WITH TIME ZONE", nil
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), nil
	default:
		return "", fmt.Errorf("no DuckDB type for %s", t)
	}
}

// quote is a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ident is a quoted SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// datasetsSQL creates the datasets schema: one view per table over its
// files, with the table and column docs as comments.
func datasetsSQL(tables []schemas.Table, l layout) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE SCHEMA IF NOT EXISTS %s;\n", DatasetsSchema)
	for _, t := range tables {
		rel, err := l.relationSQL(t)
		if err != nil {
			return "", err
		}
		name := DatasetsSchema + "." + RelationName(t.Dataset)
		fmt.Fprintf(&b, "\n-- %s\nCREATE OR REPLACE VIEW %s AS\n%s;\n", t.Dataset, name, rel)
		fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", name, quote(t.Doc))
		for _, f := range t.Schema.Fields() {
			if doc, ok := f.Metadata.GetValue(schemas.DocKey); ok {
				fmt.Fprintf(&b, "COMMENT ON COLUMN %s.%s IS %s;\n", name, ident(f.Name), quote(doc))
			}
		}
	}
	return b.String(), nil
}

// plainViewsSQL creates, for every table whose view views.sql does not
// define, cqc_<table> (the latest snapshot) and cqc_<table>_history (every
// snapshot; not for tables that are themselves a history). A table not
// partitioned by snapshot_date gets one view over all its rows.
func plainViewsSQL(tables []schemas.Table, defined map[string]bool) string {
	var b strings.Builder
	for _, t := range tables {
		name := RelationName(t.Dataset)
		src := DatasetsSchema + "." + name
		snapshots := len(t.PartitionBy) > 0 && t.PartitionBy[0] == "snapshot_date"
		if !defined[name] {
			if snapshots {
				fmt.Fprintf(&b, "\nCREATE OR REPLACE VIEW %s AS\nSELECT * FROM %s\nWHERE snapshot_date = (SELECT max(snapshot_date) FROM %s);\n", name, src, src)
				fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", name, quote(t.Doc+" Latest snapshot."))
			} else {
				fmt.Fprintf(&b, "\nCREATE OR REPLACE VIEW %s AS\nSELECT * FROM %s;\n", name, src)
				fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", name, quote(t.Doc))
			}
		}
		if hist := name + "_history"; snapshots && !strings.HasSuffix(name, "_history") && !defined[hist] {
			fmt.Fprintf(&b, "\nCREATE OR REPLACE VIEW %s AS\nSELECT * FROM %s;\n", hist, src)
			fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", hist, quote(t.Doc+" Every snapshot."))
		}
	}
	return b.String()
}

var createView = regexp.MustCompile(`(?i)\bCREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+([a-z_][a-z0-9_]*)\b`)

// definedViews lists the views a script creates in the main schema.
func definedViews(script string) map[string]bool {
	out := map[string]bool{}
	for _, m := range createView.FindAllStringSubmatch(script, -1) {
		out[strings.ToLower(m[1])] = true
	}
	return out
}

var datasetRef = regexp.MustCompile(`\b` + DatasetsSchema + `\.([a-z][a-z0-9_]*)\b`)

// inline replaces every reference datasets.<table> by the table's relation
// in parentheses, so each view stands alone: DuckDB 1.1 binds a view's names
// in the session's default catalog, and a catalog ATTACHed under another
// name would not find datasets.<table>.
func inline(script string, rels map[string]string) string {
	return datasetRef.ReplaceAllStringFunc(script, func(ref string) string {
		if rel, ok := rels[ref[len(DatasetsSchema)+1:]]; ok {
			return "(" + rel + ")"
		}
		return ref
	})
}

var (
	viewRef = regexp.MustCompile(`(?i)\b(FROM|JOIN)\s+([a-z_][a-z0-9_]*)\b`)
	viewAS  = regexp.MustCompile(`(?i)^\s+AS\b`)
)

// inlineViews replaces, in every view, each "FROM <view>" or "JOIN <view>"
// naming a view the script created before by "FROM (<its query>) AS <view>",
// so a view may build on another and still stand alone (see inline). A view
// that builds on another refers to it by name only, without an alias.
func inlineViews(script string) (string, error) {
	stmts, err := viewStatements(script)
	if err != nil {
		return "", err
	}
	bodies := map[string]string{}
	var b strings.Builder
	last := 0
	for _, st := range stmts {
		body := viewRef.ReplaceAllStringFunc(script[st.bodyStart:st.bodyEnd], func(ref string) string {
			m := viewRef.FindStringSubmatch(ref)
			if q, ok := bodies[strings.ToLower(m[2])]; ok {
				return m[1] + " (" + q + "\n) AS " + m[2] // a newline: q may end in a -- comment
			}
			return ref
		})
		bodies[st.name] = body
		b.WriteString(script[last:st.bodyStart])
		b.WriteString(body)
		last = st.bodyEnd
	}
	b.WriteString(script[last:])
	return b.String(), nil
}

// viewStatement locates one CREATE VIEW: the view's name and its query.
type viewStatement struct {
	name               string
	bodyStart, bodyEnd int
}

// viewStatements finds every CREATE VIEW of a script and the query it
// defines: from after AS to the statement's ending ";" (outside comments
// and quotes).
func viewStatements(script string) ([]viewStatement, error) {
	var out []viewStatement
	for _, m := range createView.FindAllStringSubmatchIndex(script, -1) {
		name := strings.ToLower(script[m[2]:m[3]])
		as := viewAS.FindStringIndex(script[m[1]:])
		if as == nil {
			return nil, fmt.Errorf("catalog: view %s: expected AS after the name", name)
		}
		start := m[1] + as[1]
		end := statementEnd(script, start)
		if end < 0 {
			return nil, fmt.Errorf("catalog: view %s: no ';' ends its statement", name)
		}
		out = append(out, viewStatement{name: name, bodyStart: start, bodyEnd: end})
	}
	return out, nil
}

// statementEnd is the index of the first ";" at or after from that is not
// in a -- comment, a string or a quoted identifier; -1 if none.
func statementEnd(s string, from int) int {
	for i := from; i < len(s); i++ {
		switch s[i] {
		case ';':
			return i
		case '-':
			if i+1 < len(s) && s[i+1] == '-' {
				for i < len(s) && s[i] != '\n' {
					i++
				}
			}
		case '\'', '"':
			q := s[i]
			for i++; i < len(s) && s[i] != q; i++ {
			}
		}
	}
	return -1
}

// script is the complete SQL creating every view of the catalog: datasets.*,
// the plain views and views.sql (read from views, normally
// carelake/sql.Files). With absolute paths, main views are made
// self-contained (see inline).
func script(tables []schemas.Table, views fs.FS, l layout) (string, error) {
	contract, err := fs.ReadFile(views, sqlfiles.Views)
	if err != nil {
		return "", fmt.Errorf("catalog: %w", err)
	}
	ds, err := datasetsSQL(tables, l)
	if err != nil {
		return "", err
	}
	runs, err := runsViewSQL(l)
	if err != nil {
		return "", err
	}
	main := plainViewsSQL(tables, definedViews(string(contract))) + "\n" + string(contract) + runs
	if l.absolute {
		if main, err = inlineViews(main); err != nil {
			return "", err
		}
		rels := make(map[string]string, len(tables))
		for _, t := range tables {
			if rels[RelationName(t.Dataset)], err = l.relationSQL(t); err != nil {
				return "", err
			}
		}
		main = inline(main, rels)
	}
	return ds + main, nil
}

// tablesHeader heads the generated sql/tables.sql.
const tablesHeader = `-- Generated from schemas/ by stages/catalog: do not edit.
-- Regenerate with: go test ./stages/catalog -run TestTablesSQL -update
--
-- One view per warehouse table over its Parquet files (schema datasets), and
-- the plain views cqc_<table> (latest snapshot) and cqc_<table>_history of
-- every table views.sql does not define. Paths are relative to the warehouse
-- root: start DuckDB there (or SET file_search_path = '/path/to/warehouse'),
-- then .read this file and views.sql. A table with no files yet makes its
-- read_parquet fail here; the warehouse's own sql/carelake.sql, written by
-- every catalog build, has those replaced by empty relations.
`

// tablesSQL is the text of sql/tables.sql for the given tables and
// contract views.
func tablesSQL(tables []schemas.Table, views fs.FS) (string, error) {
	contract, err := fs.ReadFile(views, sqlfiles.Views)
	if err != nil {
		return "", fmt.Errorf("catalog: %w", err)
	}
	ds, err := datasetsSQL(tables, layout{})
	if err != nil {
		return "", err
	}
	return tablesHeader + "\n" + ds + plainViewsSQL(tables, definedViews(string(contract))), nil
}
