// Package parquetcheck checks Parquet files the way the warehouse's readers
// will see them. It is test support: every check takes a testing.TB and
// reports through it.
//
//   - Compare reads a file with three independent implementations, arrow-go
//     (pqarrow), DuckDB and xitongsys/parquet-go, as BI tools use different
//     ones, and fails unless all three return the same columns, the same
//     number of rows and identical values, cell by cell (NULL is distinct
//     from the empty string; floats compare exactly, NaN included).
//   - Policy checks a file's metadata against the Parquet policy
//     (docs/architecture.md, "Parquet policy").
//   - Warehouse runs both over every Parquet file under a warehouse root, so
//     an end-to-end test can check a real warehouse.
//
// Supported column types are the flat ones the warehouse writes: strings,
// signed integers, floats, booleans, DATE, TIMESTAMP and DECIMAL. A nested
// or other column fails the check with a message naming it.
package parquetcheck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/xitongsys/parquet-go-source/local"
	xparquet "github.com/xitongsys/parquet-go/parquet"
	"github.com/xitongsys/parquet-go/reader"
)

// Column is one column as a reader returned it: a canonical text form per
// cell ("s:text", "i:42", "f:1.5", "b:true", "d:2026-11-21",
// "t:2026-11-21T02:00:00.000001Z", "n:-12.50"), nil for NULL.
type Column struct {
	Name   string
	Values []any
}

// Compare fails t unless arrow-go, DuckDB and xitongsys/parquet-go read the
// Parquet file at path identically.
func Compare(t testing.TB, path string) {
	t.Helper()
	if err := compare(path); err != nil {
		t.Error(err)
	}
}

// Warehouse runs Compare and Policy on every Parquet file under root (hidden
// directories, such as load's temporary area, excluded) and returns how many
// files it checked.
func Warehouse(t testing.TB, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".parquet") {
			n++
			Compare(t, path)
			Policy(t, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func compare(path string) error {
	a, err := ReadArrow(path)
	if err != nil {
		return fmt.Errorf("%s: arrow-go: %w", path, err)
	}
	d, err := ReadDuckDB(path)
	if err != nil {
		return fmt.Errorf("%s: DuckDB: %w", path, err)
	}
	x, err := ReadXitongsys(path)
	if err != nil {
		return fmt.Errorf("%s: xitongsys/parquet-go: %w", path, err)
	}
	if err := Diff(a, d); err != nil {
		return fmt.Errorf("%s: arrow-go and DuckDB differ: %w", path, err)
	}
	if err := Diff(a, x); err != nil {
		return fmt.Errorf("%s: arrow-go and xitongsys/parquet-go differ: %w", path, err)
	}
	return nil
}

// Diff describes the differences between two readings of one file, or
// returns nil when they are identical.
func Diff(a, b []Column) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d columns vs %d", len(a), len(b))
	}
	var diffs []string
	for i, ca := range a {
		cb := b[i]
		if ca.Name != cb.Name {
			return fmt.Errorf("column %d is %q vs %q", i, ca.Name, cb.Name)
		}
		if len(ca.Values) != len(cb.Values) {
			return fmt.Errorf("column %s: %d rows vs %d", ca.Name, len(ca.Values), len(cb.Values))
		}
		for r, va := range ca.Values {
			if vb := cb.Values[r]; va != vb && len(diffs) < 10 {
				diffs = append(diffs, fmt.Sprintf("%s row %d: %s vs %s", ca.Name, r, show(va), show(vb)))
			}
		}
	}
	if len(diffs) > 0 {
		return errors.New(strings.Join(diffs, "; "))
	}
	return nil
}

func show(v any) string {
	if v == nil {
		return "NULL"
	}
	return strconv.Quote(v.(string))
}

// Canonical cell forms shared by the three readers.
func str(s string) any    { return "s:" + s }
func integer(v int64) any { return "i:" + strconv.FormatInt(v, 10) }
func boolean(v bool) any  { return "b:" + strconv.FormatBool(v) }
func date(days int64) any { return "d:" + time.Unix(days*86400, 0).UTC().Format(time.DateOnly) }
func micros(us int64) any {
	return "t:" + time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.000000Z")
}
func float(v float64) any    { return "f:" + strconv.FormatFloat(v, 'g', -1, 64) }
func float32v(v float32) any { return "f:" + strconv.FormatFloat(float64(v), 'g', -1, 32) }

func decimal(unscaled *big.Int, scale int) any {
	neg := unscaled.Sign() < 0
	digits := new(big.Int).Abs(unscaled).String()
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		digits = "-" + digits
	}
	return "n:" + digits
}

// ReadArrow reads a file with arrow-go's pqarrow reader.
func ReadArrow(path string) ([]Column, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	cols := make([]Column, tbl.NumCols())
	for i := range cols {
		c := tbl.Column(i)
		cols[i].Name = c.Name()
		for _, chunk := range c.Data().Chunks() {
			for r := 0; r < chunk.Len(); r++ {
				v, err := arrowCell(chunk, r)
				if err != nil {
					return nil, fmt.Errorf("column %s: %w", c.Name(), err)
				}
				cols[i].Values = append(cols[i].Values, v)
			}
		}
	}
	return cols, nil
}

func arrowCell(a arrow.Array, r int) (any, error) {
	if a.IsNull(r) {
		return nil, nil
	}
	switch a := a.(type) {
	case *array.String:
		return str(a.Value(r)), nil
	case *array.LargeString:
		return str(a.Value(r)), nil
	case *array.Int8:
		return integer(int64(a.Value(r))), nil
	case *array.Int16:
		return integer(int64(a.Value(r))), nil
	case *array.Int32:
		return integer(int64(a.Value(r))), nil
	case *array.Int64:
		return integer(a.Value(r)), nil
	case *array.Float32:
		return float32v(a.Value(r)), nil
	case *array.Float64:
		return float(a.Value(r)), nil
	case *array.Boolean:
		return boolean(a.Value(r)), nil
	case *array.Date32:
		return date(int64(a.Value(r))), nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return micros(int64(a.Value(r)) * int64(unit.Multiplier()) / int64(time.Microsecond)), nil
	case *array.Decimal128:
		v := a.Value(r)
		return decimal(v.BigInt(), int(a.DataType().(*arrow.Decimal128Type).Scale)), nil
	default:
		return nil, fmt.Errorf("type %s is not supported by parquetcheck", a.DataType())
	}
}

// ReadDuckDB reads a file with DuckDB's Parquet reader, in file order.
func ReadDuckDB(path string) ([]Column, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query("SELECT * EXCLUDE (file_row_number) FROM read_parquet(?, hive_partitioning = false, file_row_number = true) ORDER BY file_row_number", path)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]Column, len(types))
	for i, ct := range types {
		cols[i].Name = ct.Name()
	}
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			c, err := duckCell(types[i].DatabaseTypeName(), v)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", cols[i].Name, err)
			}
			cols[i].Values = append(cols[i].Values, c)
		}
	}
	return cols, rows.Err()
}

func duckCell(typ string, v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return str(v), nil
	case int8:
		return integer(int64(v)), nil
	case int16:
		return integer(int64(v)), nil
	case time.Time:
		if typ == "DATE" {
			return date(v.Unix() / 86400), nil
		}
		return micros(v.UnixMicro()), nil
	case duckdb.Decimal:
		return decimal(v.Value, int(v.Scale)), nil
	}
	if c, ok := plainCell(v); ok {
		return c, nil
	}
	return nil, fmt.Errorf("DuckDB type %s (%T) is not supported by parquetcheck", typ, v)
}

// plainCell is the cell of a value whose Go type says what it is.
func plainCell(v any) (any, bool) {
	switch v := v.(type) {
	case int32:
		return integer(int64(v)), true
	case int64:
		return integer(v), true
	case float32:
		return float32v(v), true
	case float64:
		return float(v), true
	case bool:
		return boolean(v), true
	}
	return nil, false
}

// ReadXitongsys reads a file with xitongsys/parquet-go's column reader,
// interpreting physical values by the logical types of its own footer.
func ReadXitongsys(path string) ([]Column, error) {
	f, err := local.NewLocalFileReader(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pr, err := reader.NewParquetColumnReader(f, 1)
	if err != nil {
		return nil, err
	}
	defer pr.ReadStop()
	n := pr.GetNumRows()
	elems := pr.Footer.GetSchema()
	if len(elems) == 0 || int(elems[0].GetNumChildren()) != len(elems)-1 {
		return nil, fmt.Errorf("nested schema is not supported by parquetcheck")
	}
	cols := make([]Column, len(elems)-1)
	for i, el := range elems[1:] {
		cols[i].Name = pr.SchemaHandler.Infos[i+1].ExName // the file's name; el.Name is renamed Go-style
		if n == 0 {
			continue
		}
		vals, _, _, err := pr.ReadColumnByIndex(int64(i), n)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", el.GetName(), err)
		}
		if int64(len(vals)) != n {
			return nil, fmt.Errorf("column %s: %d values for %d rows", el.GetName(), len(vals), n)
		}
		cols[i].Values = make([]any, n)
		for r, v := range vals {
			if cols[i].Values[r], err = xitongsysCell(el, v); err != nil {
				return nil, fmt.Errorf("column %s: %w", el.GetName(), err)
			}
		}
	}
	return cols, nil
}

func xitongsysCell(el *xparquet.SchemaElement, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	lt := el.GetLogicalType()
	switch {
	case lt != nil && lt.DECIMAL != nil || el.GetConvertedType() == xparquet.ConvertedType_DECIMAL:
		scale := int(el.GetScale())
		switch v := v.(type) {
		case int32:
			return decimal(big.NewInt(int64(v)), scale), nil
		case int64:
			return decimal(big.NewInt(v), scale), nil
		case string: // FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY: big-endian two's complement
			u := new(big.Int).SetBytes([]byte(v))
			if len(v) > 0 && v[0]&0x80 != 0 {
				u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(v))))
			}
			return decimal(u, scale), nil
		}
	case lt != nil && lt.DATE != nil || el.GetConvertedType() == xparquet.ConvertedType_DATE:
		if d, ok := v.(int32); ok {
			return date(int64(d)), nil
		}
	case lt != nil && lt.TIMESTAMP != nil:
		us, ok := v.(int64)
		if !ok {
			break
		}
		switch u := lt.TIMESTAMP.Unit; {
		case u.MILLIS != nil:
			return micros(us * 1000), nil
		case u.MICROS != nil:
			return micros(us), nil
		case u.NANOS != nil:
			return micros(us / 1000), nil
		}
	case el.GetConvertedType() == xparquet.ConvertedType_TIMESTAMP_MICROS:
		if us, ok := v.(int64); ok {
			return micros(us), nil
		}
	case el.GetConvertedType() == xparquet.ConvertedType_TIMESTAMP_MILLIS:
		if ms, ok := v.(int64); ok {
			return micros(ms * 1000), nil
		}
	default:
		switch v := v.(type) {
		case string:
			if el.GetType() == xparquet.Type_BYTE_ARRAY {
				return str(v), nil
			}
		default:
			if c, ok := plainCell(v); ok {
				return c, nil
			}
		}
	}
	return nil, fmt.Errorf("physical %s with logical %v (%T) is not supported by parquetcheck", el.GetType(), lt, v)
}
