package catalog

import (
	"bytes"
	"strings"
	"testing"

	"carelake/internal/testkit"
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
	testkit.Golden(t, dictionaryPath, b.Bytes())
	got := b.Bytes()
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
