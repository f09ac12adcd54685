package schemas

// partitionDocs says what each partition column holds.
var partitionDocs = map[string]string{
	"snapshot_date":  "the day of the CQC snapshot the rows describe (normalise's --snapshot-date, by default the UTC day it ran)",
	"clinic_id":      "the clinic the CareQ call was made for",
	"table_name":     "the CQC table (cqc/<table_name>) the versions are of",
	"snapshot_month": "the closed month (YYYY-MM) whose nightly partitions of a table stored by change were compacted into this one; each row's snapshot_date is a column",
	"event_month":    "the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date",
}
