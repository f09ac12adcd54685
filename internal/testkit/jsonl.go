package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/schemas"
	"carelake/schemas/staging"
)

// WriteJSONLines writes every row of rec as one JSON object per line, keys in
// schema order, for readable golden files: dates as
// "YYYY-MM-DD", timestamps as RFC 3339 UTC with microseconds, NULL as null.
func WriteJSONLines(w io.Writer, rec arrow.RecordBatch) error {
	var line bytes.Buffer
	for row := 0; row < int(rec.NumRows()); row++ {
		line.Reset()
		line.WriteByte('{')
		for i, col := range rec.Columns() {
			if i > 0 {
				line.WriteByte(',')
			}
			writeString(&line, rec.ColumnName(i))
			line.WriteByte(':')
			if err := appendValue(&line, col, row); err != nil {
				return fmt.Errorf("%s: %w", rec.ColumnName(i), err)
			}
		}
		line.WriteString("}\n")
		if _, err := w.Write(line.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a string always encodes
	buf.Truncate(buf.Len() - 1) // Encode ends with a newline
}

func appendValue(buf *bytes.Buffer, col arrow.Array, row int) error {
	if col.IsNull(row) {
		buf.WriteString("null")
		return nil
	}
	switch a := col.(type) {
	case *array.String:
		writeString(buf, a.Value(row))
	case *array.Int64:
		buf.WriteString(strconv.FormatInt(a.Value(row), 10))
	case *array.Float64:
		buf.WriteString(strconv.FormatFloat(a.Value(row), 'g', -1, 64))
	case *array.Boolean:
		buf.WriteString(strconv.FormatBool(a.Value(row)))
	case *array.Date32:
		buf.WriteString(`"` + a.Value(row).FormattedString() + `"`)
	case *array.Timestamp:
		t := time.UnixMicro(int64(a.Value(row))).UTC()
		buf.WriteString(`"` + t.Format("2006-01-02T15:04:05.000000Z") + `"`)
	default:
		return fmt.Errorf("no JSON form for %s", col.DataType())
	}
	return nil
}

// DumpStaged renders the committed output of stage as JSON lines per table
// (keyed by dataset, e.g. cqc/locations), for golden files. It checks that
// every partition holds exactly the registered schema of its table.
func DumpStaged(root, stage string, tables []schemas.Table) (map[string][]byte, error) {
	m, err := staging.Open(root, stage)
	if err != nil {
		return nil, err
	}
	registered := map[string]*arrow.Schema{}
	for _, t := range tables {
		registered[t.Dataset] = t.Schema
	}
	out := map[string][]byte{}
	for _, p := range m.Partitions {
		want, ok := registered[p.Table]
		if !ok {
			return nil, fmt.Errorf("%s: staged table %s is not registered", stage, p.Table)
		}
		got, err := m.Schema(p)
		if err != nil {
			return nil, err
		}
		if !got.Equal(want) {
			return nil, fmt.Errorf("%s: %s schema differs from the registered one:\n%s\nwant\n%s", stage, p.Path, got, want)
		}
		var buf bytes.Buffer
		if err := m.Read(p, func(rec arrow.RecordBatch) error { return WriteJSONLines(&buf, rec) }); err != nil {
			return nil, err
		}
		out[p.Table] = append(out[p.Table], buf.Bytes()...)
	}
	return out, nil
}

// Row is one row of a JSON-lines dump: column name to value.
type Row = map[string]any

// ParseRows parses JSON lines (WriteJSONLines, DumpStaged) into rows.
func ParseRows(t testing.TB, jsonl []byte) []Row {
	t.Helper()
	var out []Row
	dec := json.NewDecoder(bytes.NewReader(jsonl))
	for dec.More() {
		var r Row
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// Find returns the rows whose columns equal the given values, given as
// pairs of column name and value.
func Find(rows []Row, kv ...any) []Row {
	var out []Row
	for _, r := range rows {
		ok := true
		for i := 0; i+1 < len(kv); i += 2 {
			if r[kv[i].(string)] != kv[i+1] {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// One returns the single row Find finds, failing t otherwise.
func One(t testing.TB, rows []Row, kv ...any) Row {
	t.Helper()
	got := Find(rows, kv...)
	if len(got) != 1 {
		t.Fatalf("want exactly one row with %v, got %d: %v", kv, len(got), got)
	}
	return got[0]
}

// SetJSON returns the JSON object body with top-level fields set to the
// values given as name, value pairs; a nil value removes the field. Numbers
// keep their text.
func SetJSON(tb testing.TB, body string, kv ...any) string {
	tb.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader([]byte(body)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
			continue
		}
		m[kv[i].(string)] = kv[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
