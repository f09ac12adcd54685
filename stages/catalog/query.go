package catalog

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
)

// Format is an output format of Query.
type Format string

// Output formats. CSV has a header row; JSON is an array of objects, one per
// line, keys in column order. Both print booleans as true/false and dates,
// times and timestamps in ISO 8601 (timestamps with time zone in UTC, "Z");
// NULL is an empty field in CSV, null in JSON. Table aligns the columns for
// a terminal (NULL shows as NULL, long values are cut at 80 characters).
const (
	FormatTable Format = "table"
	FormatCSV   Format = "csv"
	FormatJSON  Format = "json"
)

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatTable, FormatCSV, FormatJSON:
		return f, nil
	}
	return "", fmt.Errorf("%w %q: use table, csv or json", ErrFormat, s)
}

// Open opens the catalog of the warehouse at root read-only, its relative
// paths resolved against root whatever the working directory. It fails with
// ErrNoCatalog when there is none yet.
func Open(root string) (*sql.DB, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(abs, FileName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s: run 'carelake run' or 'carelake demo' first", ErrNoCatalog, path)
	}
	dsn := url.Values{"access_mode": {"READ_ONLY"}, "file_search_path": {abs}}
	db, err := sql.Open("duckdb", path+"?"+dsn.Encode())
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	return db, nil
}

// Query runs query on the catalog of the warehouse at root and writes the
// result to w in format. It returns the number of rows written.
func Query(ctx context.Context, root, query string, format Format, w io.Writer) (int, error) {
	db, err := Open(root)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	n, err := Write(rows, format, w)
	if err != nil {
		return n, fmt.Errorf("query: %w", err)
	}
	return n, nil
}

// Write writes every row of rows to w in format and returns how many.
func Write(rows *sql.Rows, format Format, w io.Writer) (int, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	var out rowWriter
	switch format {
	case FormatCSV:
		out = &csvWriter{w: csv.NewWriter(w)}
	case FormatJSON:
		out = &jsonWriter{w: w}
	case FormatTable:
		out = &tableWriter{w: w}
	default:
		_, err := ParseFormat(string(format))
		return 0, err
	}
	cols := make([]column, len(types))
	for i, t := range types {
		cols[i] = column{name: t.Name(), typ: t.DatabaseTypeName()}
	}
	if err := out.header(cols); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if err := out.row(vals); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, out.close(n)
}

type column struct{ name, typ string }

type rowWriter interface {
	header(cols []column) error
	row(vals []any) error
	close(rows int) error
}

// text is a value as CSV and table cells show it; null reports NULL.
func text(v any, typ string) (s string, null bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, false
	case []byte:
		return `\x` + hex.EncodeToString(v), false
	case bool:
		return strconv.FormatBool(v), false
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, uint:
		return fmt.Sprint(v), false
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32), false
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), false
	case *big.Int:
		return v.String(), false
	case duckdb.Decimal:
		return decimalText(v), false
	case time.Time:
		return timeText(v, typ), false
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %d microseconds", v.Months, v.Days, v.Micros), false
	case fmt.Stringer:
		return v.String(), false
	default:
		b, err := json.Marshal(jsonValue(v, ""))
		if err != nil {
			return fmt.Sprint(v), false
		}
		return string(b), false
	}
}

func decimalText(d duckdb.Decimal) string {
	digits := new(big.Int).Abs(d.Value).String()
	if d.Scale > 0 {
		scale := int(d.Scale)
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if d.Value.Sign() < 0 {
		return "-" + digits
	}
	return digits
}

func timeText(t time.Time, typ string) string {
	switch {
	case typ == "DATE":
		return t.Format(time.DateOnly)
	case strings.HasPrefix(typ, "TIME") && !strings.HasPrefix(typ, "TIMESTAMP"):
		return t.Format("15:04:05.999999")
	case typ == "TIMESTAMPTZ" || strings.HasPrefix(typ, "TIMESTAMP WITH"):
		return t.UTC().Format("2006-01-02T15:04:05.999999Z")
	default:
		return t.Format("2006-01-02T15:04:05.999999")
	}
}

// jsonValue converts a scanned value to what encoding/json should write:
// exact numbers as json.Number, dates as ISO strings, NaN and infinities
// (which JSON cannot hold) as strings, nested lists and structs recursively.
func jsonValue(v any, typ string) any {
	switch v := v.(type) {
	case nil, string, bool:
		return v
	case float32:
		return jsonFloat(float64(v), 32)
	case float64:
		return jsonFloat(v, 64)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonValue(x, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonValue(x, "")
		}
		return out
	case duckdb.Map:
		out := make(map[string]any, len(v))
		for k, x := range v {
			ks, _ := text(k, "")
			out[ks] = jsonValue(x, "")
		}
		return out
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, uint, *big.Int, duckdb.Decimal:
		s, _ := text(v, typ)
		return json.Number(s)
	default:
		s, _ := text(v, typ)
		return s
	}
}

func jsonFloat(f float64, bits int) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, bits))
}

type csvWriter struct {
	w    *csv.Writer
	cols []column
	rec  []string
}

func (c *csvWriter) header(cols []column) error {
	c.cols = cols
	c.rec = make([]string, len(cols))
	for i, col := range cols {
		c.rec[i] = col.name
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) row(vals []any) error {
	for i, v := range vals {
		c.rec[i], _ = text(v, c.cols[i].typ)
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) close(int) error {
	c.w.Flush()
	return c.w.Error()
}

type jsonWriter struct {
	w    io.Writer
	cols []column
	keys [][]byte
	buf  bytes.Buffer
	rows int
}

func (j *jsonWriter) header(cols []column) error {
	j.cols = cols
	j.keys = make([][]byte, len(cols))
	for i, col := range cols {
		k, err := json.Marshal(col.name)
		if err != nil {
			return err
		}
		j.keys[i] = k
	}
	_, err := io.WriteString(j.w, "[")
	return err
}

func (j *jsonWriter) row(vals []any) error {
	j.buf.Reset()
	if j.rows > 0 {
		j.buf.WriteByte(',')
	}
	j.rows++
	j.buf.WriteString("\n{")
	for i, v := range vals {
		if i > 0 {
			j.buf.WriteString(", ")
		}
		j.buf.Write(j.keys[i])
		j.buf.WriteString(": ")
		b, err := json.Marshal(jsonValue(v, j.cols[i].typ))
		if err != nil {
			return fmt.Errorf("column %s: %w", j.cols[i].name, err)
		}
		j.buf.Write(b)
	}
	j.buf.WriteByte('}')
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonWriter) close(int) error {
	_, err := io.WriteString(j.w, "\n]\n")
	return err
}

// tableWriter keeps every row to size the columns.
type tableWriter struct {
	w     io.Writer
	cols  []column
	cells [][]string
}

const maxCell = 80

func (t *tableWriter) header(cols []column) error {
	t.cols = cols
	return nil
}

func (t *tableWriter) row(vals []any) error {
	row := make([]string, len(vals))
	for i, v := range vals {
		s, null := text(v, t.cols[i].typ)
		if null {
			s = "NULL"
		}
		s = strings.NewReplacer("\r", `\r`, "\n", `\n`, "\t", `\t`).Replace(s)
		if utf8.RuneCountInString(s) > maxCell {
			s = string([]rune(s)[:maxCell-1]) + "…"
		}
		row[i] = s
	}
	t.cells = append(t.cells, row)
	return nil
}

func (t *tableWriter) close(rows int) error {
	width := make([]int, len(t.cols))
	right := make([]bool, len(t.cols))
	for i, c := range t.cols {
		width[i] = utf8.RuneCountInString(c.name)
		right[i] = numeric(c.typ)
	}
	for _, row := range t.cells {
		for i, s := range row {
			width[i] = max(width[i], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, s := range cells {
			if i > 0 {
				b.WriteString(" | ")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(s))
			if right[i] {
				b.WriteString(pad + s)
			} else if i < len(cells)-1 {
				b.WriteString(s + pad)
			} else {
				b.WriteString(s)
			}
		}
		b.WriteString("\n")
	}
	names := make([]string, len(t.cols))
	rules := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
		rules[i] = strings.Repeat("-", width[i])
	}
	line(names)
	b.WriteString(strings.Join(rules, "-+-") + "\n")
	for _, row := range t.cells {
		line(row)
	}
	if rows == 1 {
		b.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(&b, "(%d rows)\n", rows)
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

var numericTypes = map[string]bool{"TINYINT": true, "SMALLINT": true, "INTEGER": true, "BIGINT": true, "HUGEINT": true,
	"UTINYINT": true, "USMALLINT": true, "UINTEGER": true, "UBIGINT": true, "UHUGEINT": true, "FLOAT": true, "DOUBLE": true}

// numeric reports whether a column type is a number (right-aligned).
func numeric(typ string) bool { return numericTypes[typ] || strings.HasPrefix(typ, "DECIMAL") }
