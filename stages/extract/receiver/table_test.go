package receiver

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"testing"
)

// A table behaves as a map through puts, compactions and puts again, and
// its base stays sorted.
func TestTableIsAMap(t *testing.T) {
	tb := newTable[uint64, int64](cmp.Compare[uint64])
	want := map[uint64]int64{}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 5 {
		for range 1000 {
			k, v := rng.Uint64N(3000), rng.Int64N(5)
			tb.put(k, v)
			want[k] = v
		}
		for k := range uint64(3000) {
			got, ok := tb.get(k)
			if w, wok := want[k]; ok != wok || got != w {
				t.Fatalf("round %d: key %d: %d %v, want %d %v", round, k, got, ok, w, wok)
			}
		}
		if tb.len() != len(want) {
			t.Fatalf("round %d: len %d, want %d", round, tb.len(), len(want))
		}
		tb.compact(func(v int64) bool { return v != 0 })
		maps.DeleteFunc(want, func(_ uint64, v int64) bool { return v == 0 })
		if !tb.sorted() || len(tb.more) != 0 || len(tb.base) != len(want) {
			t.Fatalf("round %d: after compact: sorted %v, %d in more, %d in base, want %d", round, tb.sorted(), len(tb.more), len(tb.base), len(want))
		}
	}
}
