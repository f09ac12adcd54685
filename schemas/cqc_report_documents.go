package schemas

import "github.com/apache/arrow-go/v18/arrow"

// The inspection reports extract fetches when asked (--reports text|pdf):
// the text of each report document, and where each PDF is kept beside the
// archive (docs/architecture.md, "CQC API: reports"). One row per document
// and organisation whose reports list names it: a location's (location_id
// set), or a provider's (provider_id set: an NHS trust's provider-level
// reports); both NULL when no archived organisation lists it. provider_id
// was added later as a nullable column: files written before read it as
// NULL (docs/architecture.md, "Parquet policy"). Their plain views are
// cqc_report_texts and cqc_report_files.

func cqcReportDocumentColumns() []arrow.Field {
	return []arrow.Field{
		Field("link_id", cqcStr, cqcReq, "the report's linkId (reports[].linkId; GET /reports/{linkId})"),
		Field("document_type", cqcStr, cqcNull, "the related document's type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report"),
		Field("location_id", cqcStr, cqcNull, "a location whose reports list holds the report (its latest good body); NULL on a provider's row, and when no organisation lists it"),
		Field("provider_id", cqcStr, cqcNull, "a provider whose reports list holds the report (its latest good body): an NHS trust's provider-level (well-led) report, which no location lists; NULL on a location's row, when no organisation lists it, and in files written before the column was added"),
		Field("report_date", Date, cqcNull, "reportDate of the report in that organisation's (location's or provider's) list"),
	}
}

// cqcAnswerColumns point at the archived answer a row of a document (the
// taxonomy, a report) comes from.
func cqcAnswerColumns() []arrow.Field {
	return []arrow.Field{
		Field("fetched_at", TimestampUTC, cqcReq, "when the answer arrived (UTC)"),
		Field("archive_segment", cqcStr, cqcReq, "raw archive segment holding the answer, relative to the warehouse root"),
		Field("archive_seq", cqcInt, cqcReq, "sequence number of the answer within its archive segment"),
	}
}

var (
	CQCReportTexts = cqcTable("report_texts",
		"The text of each inspection report document extract fetched with --reports text (GET /reports/{linkId} with Accept: text/plain), one row per document and organisation (location or provider) listing it.",
		cqcCat(cqcReportDocumentColumns(), []arrow.Field{
			Field("text", cqcStr, cqcReq, "the report's text as the API serves it (UTF-8, verbatim)"),
		}, cqcAnswerColumns())...)
	CQCReportFiles = cqcTable("report_files",
		"Each inspection report document extract fetched as a PDF (--reports pdf, or --reports text for a report the API has no text for), kept as a file beside the raw archive, one row per document and organisation (location or provider) listing it.",
		cqcCat(cqcReportDocumentColumns(), []arrow.Field{
			Field("path", cqcStr, cqcReq, "the PDF's path relative to the warehouse root (raw/cqc-files/...)"),
			Field("bytes", cqcInt, cqcReq, "the PDF's size in bytes"),
			Field("asked_for_text", cqcBool, cqcReq, "true when text was asked for and the API answered the PDF (it has no text for this report)"),
		}, cqcAnswerColumns())...)
)
