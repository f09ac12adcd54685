package catalog

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"carelake/schemas"
	"carelake/schemas/warehouse"
	sqlfiles "carelake/sql"
)

// DatasetsSchema is the DuckDB schema holding one view per registered table
// over all of its Parquet files (every partition).
const DatasetsSchema = "datasets"

// spec is what a catalog holds: the registered tables, the contract views
// (views.sql in views) and their declarations.
type spec struct {
	tables []schemas.Table
	views  fs.FS
	decls  []schemas.View
}

// defaultSpec is the catalog of the warehouse: every registered table,
// sql/views.sql and schemas.Views.
func defaultSpec() spec {
	return spec{tables: schemas.Tables(), views: sqlfiles.Files, decls: schemas.Views()}
}

// defined lists the declarations of the views the catalog defines from
// them: those of views.sql and the current copies.
func (s spec) defined() []schemas.View {
	var out []schemas.View
	if text, err := fs.ReadFile(s.views, sqlfiles.Views); err == nil {
		names := definedViews(string(text))
		for _, d := range s.decls {
			if names[d.Name] || d.Query != "" {
				out = append(out, d)
			}
		}
	}
	return out
}

// definedNames are the names of the views defined.
func (s spec) definedNames() map[string]bool {
	names := map[string]bool{}
	for _, d := range s.defined() {
		names[d.Name] = true
	}
	return names
}

func (s spec) decl(name string) (schemas.View, bool) {
	for _, d := range s.decls {
		if d.Name == name {
			return d, true
		}
	}
	return schemas.View{}, false
}

// source says where a script finds the Parquet: paths are always relative
// to the warehouse root (so a moved or copied warehouse still answers);
// with root set, a dataset or mart without files becomes an empty relation
// typed from its schema (read_parquet refuses an empty glob).
type source struct {
	root string
}

func (src source) hasFiles(t schemas.Table) (bool, error) {
	if src.root == "" {
		return true, nil
	}
	ok, err := warehouse.HasFiles(src.root, t)
	if err != nil {
		return false, err
	}
	return ok, nil
}

// relationSQL is the query over t's files, or an empty relation.
func (src source) relationSQL(t schemas.Table) (string, error) {
	ok, err := src.hasFiles(t)
	if err != nil {
		return "", err
	}
	if !ok {
		return warehouse.EmptySQL(t)
	}
	return warehouse.ReadSQL(warehouse.Pattern(t), t)
}

// columnComments comments every documented field of a relation.
func columnComments(b *strings.Builder, relation string, t schemas.Table) {
	for _, f := range t.Schema.Fields() {
		if doc, ok := f.Metadata.GetValue(schemas.DocKey); ok {
			fmt.Fprintf(b, "COMMENT ON COLUMN %s.%s IS %s;\n", relation, warehouse.Ident(f.Name), warehouse.Quote(doc))
		}
	}
	for _, k := range t.PartitionBy {
		doc, _ := schemas.PartitionField(k).Metadata.GetValue(schemas.DocKey)
		fmt.Fprintf(b, "COMMENT ON COLUMN %s.%s IS %s;\n", relation, warehouse.Ident(k), warehouse.Quote("partition column: "+doc))
	}
}

// datasetsSQL creates the datasets schema: one view per table over its
// files, with the table and column docs as comments. A table stored by
// change (schemas.Table.Owner) gets its files as datasets.<t>_stored, and
// datasets.<t> (every snapshot) and datasets.<t>_latest rebuilt from them
// (warehouse.ByChangeSQL).
func datasetsSQL(tables []schemas.Table, src source) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE SCHEMA IF NOT EXISTS %s;\n", DatasetsSchema)
	for _, t := range tables {
		rel, err := warehouse.StoredSQL(t, src.relationSQL)
		if err != nil {
			return "", err
		}
		name := DatasetsSchema + "." + t.Relation()
		doc := t.Doc
		if len(t.Owner) > 0 {
			name += "_stored"
			doc += " As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes)."
		}
		fmt.Fprintf(&b, "\n-- %s\nCREATE OR REPLACE VIEW %s AS\n%s;\n", t.Dataset, name, rel)
		fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", name, warehouse.Quote(doc))
		columnComments(&b, name, t)
		if len(t.Owner) > 0 {
			v := schemas.Versions(t)
			rel, err := warehouse.VersionsSQL(t, src.relationSQL)
			if err != nil {
				return "", err
			}
			name := DatasetsSchema + "." + t.Relation() + "_versions"
			fmt.Fprintf(&b, "\n-- %s\nCREATE OR REPLACE VIEW %s AS\n%s;\n", v.Dataset, name, rel)
			fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", name, warehouse.Quote(v.Doc+" Its rows of datasets.cqc_changes, read from its own files."))
			columnComments(&b, name, v)
		}
	}
	for _, t := range tables {
		if len(t.Owner) > 0 {
			byChange := warehouse.ByChangeSQL(DatasetsSchema, t)
			b.WriteString(byChange)
			for _, rel := range []string{t.Relation(), t.Relation() + "_latest"} {
				columnComments(&b, DatasetsSchema+"."+rel, t)
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
		name := t.Relation()
		src := DatasetsSchema + "." + name
		snapshots := len(t.PartitionBy) > 0 && t.PartitionBy[0] == "snapshot_date"
		if !defined[name] {
			if snapshots && len(t.Owner) > 0 {
				fmt.Fprintf(&b, "\nCREATE OR REPLACE VIEW %s AS\nSELECT * FROM %s_latest;\n", name, src)
				fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", name, warehouse.Quote(t.Doc+" Latest snapshot."))
			} else if snapshots {
				fmt.Fprintf(&b, "\nCREATE OR REPLACE VIEW %s AS\nSELECT * FROM %s\nWHERE snapshot_date = (SELECT max(snapshot_date) FROM %s);\n", name, src, src)
				fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", name, warehouse.Quote(t.Doc+" Latest snapshot."))
			} else {
				fmt.Fprintf(&b, "\nCREATE OR REPLACE VIEW %s AS\nSELECT * FROM %s;\n", name, src)
				fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", name, warehouse.Quote(t.Doc))
			}
			columnComments(&b, name, t)
		}
		if hist := name + "_history"; snapshots && !strings.HasSuffix(name, "_history") && !defined[hist] {
			fmt.Fprintf(&b, "\nCREATE OR REPLACE VIEW %s AS\nSELECT * FROM %s;\n", hist, src)
			fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", hist, warehouse.Quote(t.Doc+" Every snapshot."))
			columnComments(&b, hist, t)
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

var viewAS = regexp.MustCompile(`(?i)^\s+AS\b`)

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
			return nil, fmt.Errorf("view %s: expected AS after the name", name)
		}
		start := m[1] + as[1]
		end := statementEnd(script, start)
		if end < 0 {
			return nil, fmt.Errorf("view %s: no ';' ends its statement", name)
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

// contractSQL is views.sql as the catalog holds it: every mart's query
// replaced by a read of its files (marts/<view>/), every other view as
// written, then each declared view's comments. A view of views.sql without
// a declaration is an error.
func contractSQL(s spec, src source) (string, error) {
	text, err := fs.ReadFile(s.views, sqlfiles.Views)
	if err != nil {
		return "", err
	}
	script := string(text)
	stmts, err := viewStatements(script)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	last := 0
	for _, st := range stmts {
		d, ok := s.decl(st.name)
		if !ok {
			return "", fmt.Errorf("view %s of %s is not declared in schemas.Views (its columns and their docs)", st.name, sqlfiles.Views)
		}
		b.WriteString(script[last:st.bodyStart])
		if d.Mart {
			read, err := martRead(d, src)
			if err != nil {
				return "", err
			}
			b.WriteString("\n-- the mart's files, written by the marts stage from the query in sql/views.sql\n" + read)
		} else {
			b.WriteString(script[st.bodyStart:st.bodyEnd])
		}
		last = st.bodyEnd
	}
	b.WriteString(script[last:])
	b.WriteString("\n")
	for _, st := range stmts {
		d, _ := s.decl(st.name)
		viewComments(&b, d)
	}
	for _, d := range s.decls {
		if d.Query == "" {
			continue
		}
		read, err := martRead(d, src)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "\n-- a current copy: the mart's files, written by the marts stage from %s\nCREATE OR REPLACE VIEW %s AS\n%s;\n", d.Query, d.Name, read)
		viewComments(&b, d)
	}
	return b.String(), nil
}

// martRead is the query reading a mart's files.
func martRead(d schemas.View, src source) (string, error) {
	ok, err := src.hasFiles(d.Table())
	if err != nil {
		return "", err
	}
	read, err := warehouse.ViewSQL(warehouse.Pattern(d.Table()), d, ok)
	if err != nil {
		return "", fmt.Errorf("%s: %w", d.Name, err)
	}
	return read, nil
}

// viewComments comments a declared view and its columns.
func viewComments(b *strings.Builder, d schemas.View) {
	fmt.Fprintf(b, "COMMENT ON VIEW %s IS %s;\n", d.Name, warehouse.Quote(d.Doc))
	for _, f := range d.Columns {
		doc, _ := f.Metadata.GetValue(schemas.DocKey)
		fmt.Fprintf(b, "COMMENT ON COLUMN %s.%s IS %s;\n", d.Name, warehouse.Ident(f.Name), warehouse.Quote(doc))
	}
}

// script is the complete SQL creating every view of the catalog: datasets.*,
// the plain views, the contract views, the current copies and
// pipeline_runs, with paths relative to the warehouse root.
func script(s spec, src source) (string, error) {
	ds, err := datasetsSQL(s.tables, src)
	if err != nil {
		return "", err
	}
	views, err := contractSQL(s, src)
	if err != nil {
		return "", err
	}
	runs, err := runsViewSQL(src)
	if err != nil {
		return "", err
	}
	return ds + plainViewsSQL(s.tables, s.definedNames()) + "\n" + views + runs, nil
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
		return "", err
	}
	ds, err := datasetsSQL(tables, source{})
	if err != nil {
		return "", err
	}
	return tablesHeader + "\n" + ds + plainViewsSQL(tables, definedViews(string(contract))), nil
}

// LiveScript is the SQL of every view with the contract views computed from
// the datasets as sql/views.sql writes them, not read from the marts: what
// the marts hold, computed live. It checks the marts (the same rows) and
// the query plans; paths are relative to root.
func LiveScript(root string) (string, error) {
	s := defaultSpec()
	src := source{root: root}
	ds, err := datasetsSQL(s.tables, src)
	if err != nil {
		return "", err
	}
	views, err := fs.ReadFile(s.views, sqlfiles.Views)
	if err != nil {
		return "", err
	}
	return ds + plainViewsSQL(s.tables, definedViews(string(views))) + "\n" + string(views), nil
}
