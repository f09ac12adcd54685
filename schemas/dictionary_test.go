package schemas

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/data-dictionary.md")

const dictionaryPath = "../docs/data-dictionary.md"

// The committed data dictionary is exactly what schemas/ generates.
func TestDataDictionary(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDictionary(&b, Tables()); err != nil {
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
		t.Fatal("docs/data-dictionary.md is out of date with schemas/: go test ./schemas -run TestDataDictionary -update")
	}
	for _, tb := range Tables() {
		if !strings.Contains(string(got), "\n## "+tb.Dataset+"\n") {
			t.Errorf("table %s missing from the dictionary", tb.Dataset)
		}
		for _, f := range tb.Schema.Fields() {
			if doc, _ := f.Metadata.GetValue(DocKey); doc == "" {
				t.Errorf("%s.%s has no doc", tb.Dataset, f.Name)
			}
		}
	}
}
