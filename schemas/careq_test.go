package schemas

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// Every CareQ table is partitioned by clinic and UTC month, merged by log
// segment and day of received_at, and folds the former day layout.
func TestCareQTablesLayout(t *testing.T) {
	for _, tb := range CareQTables() {
		if !slices.Equal(tb.PartitionBy, []string{"clinic_id", "event_month"}) ||
			!slices.Equal(tb.FormerPartitionBy, []string{"clinic_id", "event_date"}) {
			t.Errorf("%s: PartitionBy %v, FormerPartitionBy %v", tb.Dataset, tb.PartitionBy, tb.FormerPartitionBy)
		}
		key, day := tb.Schema.FieldIndices(tb.MergeKey), tb.Schema.FieldIndices(tb.MergeDay)
		if tb.MergeKey != "log_segment" || len(key) != 1 || tb.Schema.Field(key[0]).Type.ID() != arrow.STRING || tb.Schema.Field(key[0]).Nullable {
			t.Errorf("%s: MergeKey %q must be a non-null string column", tb.Dataset, tb.MergeKey)
		}
		if tb.MergeDay != "received_at" || len(day) != 1 || !arrow.TypeEqual(tb.Schema.Field(day[0]).Type, TimestampUTC) || tb.Schema.Field(day[0]).Nullable {
			t.Errorf("%s: MergeDay %q must be a non-null UTC timestamp column", tb.Dataset, tb.MergeDay)
		}
	}
	for _, tb := range Tables() {
		for _, p := range tb.PartitionBy {
			if partitionDocs[p] == "" {
				t.Errorf("%s: partition column %s has no doc in partitionDocs", tb.Dataset, p)
			}
		}
	}
}
