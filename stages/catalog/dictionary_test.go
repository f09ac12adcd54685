package catalog

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"carelake/schemas"
)

const dictionaryPath = "../../docs/data-dictionary.md"

// The committed data dictionary is exactly what the declarations generate,
// and covers every table, mart and view, every column documented.
func TestDataDictionary(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDictionary(&b); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(dictionaryPath, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(dictionaryPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Fatal("docs/data-dictionary.md is out of date with schemas/: go test ./stages/catalog -run TestDataDictionary -update")
	}
	for _, tb := range schemas.Tables() {
		if !strings.Contains(string(got), "\n### "+tb.Dataset+"\n") {
			t.Errorf("table %s missing from the dictionary", tb.Dataset)
		}
		for _, f := range tb.Schema.Fields() {
			if doc, _ := f.Metadata.GetValue(schemas.DocKey); doc == "" {
				t.Errorf("%s.%s has no doc", tb.Dataset, f.Name)
			}
		}
	}
	for _, v := range append(schemas.Views(), schemas.View{Name: "pipeline_runs"}) {
		if !strings.Contains(string(got), "\n### "+v.Name+"\n") {
			t.Errorf("view %s missing from the dictionary", v.Name)
		}
		for _, f := range v.Columns {
			if doc, _ := f.Metadata.GetValue(schemas.DocKey); doc == "" {
				t.Errorf("view %s column %s has no doc", v.Name, f.Name)
			}
		}
	}
}
