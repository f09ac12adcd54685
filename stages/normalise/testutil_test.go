package normalise

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carelake/internal/testkit"
	"carelake/schemas"
	"carelake/schemas/archive"
)

// t0 is the fetch time of the first record of every test archive.
var t0 = time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)

// recordSpec is one line of a case's records.json: an archived API call.
// body is inline JSON, body_file names a file under testdata/bodies,
// body_text is a body that is not JSON (truncated, HTML); error is what the
// extract stage found wrong with the answer. new_session starts a new archive
// writer session (new segments) before the next record.
type recordSpec struct {
	NewSession bool            `json:"new_session"`
	Endpoint   string          `json:"endpoint"`
	ID         string          `json:"id"`
	Status     int             `json:"status"`
	Body       json.RawMessage `json:"body"`
	BodyFile   string          `json:"body_file"`
	BodyText   string          `json:"body_text"`
	Error      string          `json:"error"`
	// Accept and File: a report call's Accept header, and the file its
	// PDF is kept in (file_bytes long).
	Accept    string `json:"accept"`
	File      string `json:"file"`
	FileBytes int    `json:"file_bytes"`
}

// clock returns a Now that advances a second per call, so every writer
// session gets its own, ordered, segment names.
func clock() func() time.Time {
	now := t0
	return func() time.Time { now = now.Add(time.Second); return now }
}

// writeArchive builds the raw archive under root from a records.json file
// (writeRecords).
func writeArchive(t testing.TB, root, specFile string) {
	t.Helper()
	b, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	var specs []recordSpec
	if err := json.Unmarshal(b, &specs); err != nil {
		t.Fatalf("%s: %v", specFile, err)
	}
	writeRecords(t, root, specs)
}

// writeRecords builds the raw archive under root from record specs, as a
// case's records.json lists them. Record i is fetched at t0 + i minutes.
func writeRecords(t testing.TB, root string, specs []recordSpec) {
	t.Helper()
	now := clock()
	w, err := archive.Open(root, archive.Options{Now: now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		if s.NewSession {
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if w, err = archive.Open(root, archive.Options{Now: now, NoSync: true}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		url := "/" + s.Endpoint
		if s.ID != "" {
			url = "/" + strings.TrimSuffix(s.Endpoint, "s") + "s/" + s.ID
		}
		r := &archive.Record{FetchedAt: t0.Add(time.Duration(i) * time.Minute), Method: "GET", URL: url,
			Endpoint: s.Endpoint, ID: s.ID, Attempt: 1, Status: s.Status, Error: s.Error}
		switch {
		case s.BodyFile != "":
			body, err := os.ReadFile(filepath.Join("testdata", "bodies", s.BodyFile))
			if err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, body); err != nil {
				t.Fatalf("%s: %v", s.BodyFile, err)
			}
			r.SetBody(compact.Bytes())
		case s.BodyText != "":
			r.SetBody([]byte(s.BodyText))
		case len(s.Body) > 0:
			r.SetBody(s.Body)
		}
		r.Accept, r.File = s.Accept, s.File
		if s.File != "" {
			r.BodyBytes = s.FileBytes
		}
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkGolden compares the dumped tables with dir/<table>.jsonl (only
// non-empty tables have a file), or rewrites them with -update.
func checkGolden(t *testing.T, dir string, out map[string][]byte) {
	t.Helper()
	files := make(map[string][]byte, len(out))
	for table, rows := range out {
		files[strings.TrimPrefix(table, "cqc/")+".jsonl"] = rows
	}
	testkit.GoldenDir(t, dir, files)
}

type row = testkit.Row

// rowsOf parses the dumped JSON lines of every table.
func rowsOf(t testing.TB, out map[string][]byte) map[string][]row {
	t.Helper()
	res := map[string][]row{}
	for table, b := range out {
		res[strings.TrimPrefix(table, "cqc/")] = testkit.ParseRows(t, b)
	}
	return res
}

var (
	find = testkit.Find
	one  = testkit.One
)

func dumpNormalised(t testing.TB, root string) map[string][]byte {
	t.Helper()
	out, err := testkit.DumpStaged(root, Stage, schemas.CQCTables())
	if err != nil {
		t.Fatal(err)
	}
	return out
}
