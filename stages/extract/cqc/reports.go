package cqc

// Inspection reports (GET /reports/{linkId}[/{relatedDocumentType}]): with
// Options.Reports set, after its other work a run fetches every report
// document the scope's locations and their providers list (an NHS trust's
// provider-level reports) and the archive lacks, as text or as PDF, within
// the same budget. The archive is the checkpoint: a document with an
// archived answer (good or 404) is never fetched again, also after a
// kill -9 (docs/architecture.md, "CQC API: reports").

import (
	"bytes"
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"carelake/schemas/archive"
)

// ReportsMode says which form of the inspection reports a run fetches.
type ReportsMode string

const (
	ReportsNone ReportsMode = "none" // no reports (the default)
	ReportsText ReportsMode = "text" // the text extract (Accept: text/plain)
	ReportsPDF  ReportsMode = "pdf"  // the PDF, kept as a file beside the archive
)

// Accept headers of report calls; the archive records the one sent.
const (
	acceptText = "text/plain"
	acceptPDF  = "application/pdf"
)

func (m ReportsMode) accept() string {
	if m == ReportsText {
		return acceptText
	}
	return acceptPDF
}

// reportKind names a report document in the index by the form asked for
// (the Accept header archived with the call).
func reportKind(accept string) string {
	if accept == acceptText {
		return "report_text"
	}
	return "report_pdf"
}

// Reports counts the report documents of a run (Summary.Reports).
type Reports struct {
	Mode    string `json:"mode"`
	Fetched int    `json:"fetched"` // a document archived
	Gone    int    `json:"gone"`    // 404: never asked again
	Failed  int    `json:"failed"`  // every try failed: the next run retries
	Pending int    `json:"pending"` // not reached: budget or interruption
	// Archived counts the scope's documents already in the archive (no call).
	Archived int `json:"archived"`
}

func reportRequest(doc string, m ReportsMode) request {
	link, typ, _ := strings.Cut(doc, "/")
	path := "/reports/" + url.PathEscape(link)
	if typ != "" {
		path += "/" + url.PathEscape(typ)
	}
	return request{endpoint: archive.EndpointReport, id: doc, path: path, accept: m.accept()}
}

// reportScopeLocked lists, sorted, the locations whose reports the run
// fetches: every archived location in the unfiltered scope, else the
// scope's member locations (a filtered scope's, or the clinics' locations
// with their predecessors and successors); and the providers whose
// provider-level reports it fetches: every archived provider in the
// unfiltered scope, else the providers of those locations.
func (r *run) reportScopeLocked() (locations, providers []string) {
	all := r.opts.Scope == ScopeAll && r.opts.Filters.empty()
	if all {
		for id := range r.idx.links {
			locations = append(locations, id)
		}
		for id := range r.idx.provReports {
			providers = append(providers, id)
		}
	} else {
		for k, e := range r.entries {
			if e.member && k.kind == kindLocation {
				locations = append(locations, k.id)
			}
		}
	}
	slices.Sort(locations)
	if !all {
		for _, id := range locations {
			if p := r.idx.links[id].provider; p != "" {
				providers = append(providers, p)
			}
		}
	}
	slices.Sort(providers)
	return locations, slices.Compact(providers)
}

// fetchReports is the reports phase: the documents the scope's locations
// list, then those its providers list, each queued once.
func (r *run) fetchReports(ctx context.Context) error {
	r.mu.Lock()
	r.beginPhaseLocked("reports")
	kind := reportKind(r.opts.Reports.accept())
	queued := map[string]bool{}
	queue := func(docs []string) {
		for _, doc := range docs {
			if queued[doc] {
				continue
			}
			queued[doc] = true
			if r.idx.archivedSince(key{kind, doc}, time.Time{}) {
				r.reports.Archived++
				continue
			}
			r.reports.Pending++
			r.sched.pushDetail(r.reportTask(doc, kind))
		}
	}
	locations, providers := r.reportScopeLocked()
	for _, id := range locations {
		queue(r.idx.links[id].reports)
	}
	for _, id := range providers {
		queue(r.idx.provReports[id].reports)
	}
	r.mu.Unlock()
	return r.runSched(ctx)
}

func (r *run) reportTask(doc, kind string) task {
	return func(ctx context.Context) error {
		resp, err := r.c.do(ctx, r.reqCtx, reportRequest(doc, r.opts.Reports))
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			if interrupted(ctx, err) {
				return nil // stays pending
			}
			return err
		}
		r.reports.Pending--
		switch {
		case resp.failed != "":
			r.reports.Failed++
			r.log.Debug("report failed; the next run retries it", "document", doc, "reason", resp.failed)
		case resp.gone:
			r.reports.Gone++
			r.idx.mark(key{kind, doc}, resp.fetchedAt, true)
		default:
			r.reports.Fetched++
			r.idx.mark(key{kind, doc}, resp.fetchedAt, false)
		}
		return nil
	}
}

var pdfMagic = []byte("%PDF-")

// isPDF says whether a body is a PDF document.
func isPDF(body []byte) bool { return bytes.HasPrefix(body, pdfMagic) }

// checkReport is the shape of a good report body: a whole PDF (the API
// answers the PDF when a report has no text), or text.
func checkReport(body []byte) string {
	switch {
	case isPDF(body):
		if !bytes.Contains(body[max(0, len(body)-1024):], []byte("%%EOF")) {
			return "PDF cut short (no %%EOF)"
		}
	case len(bytes.TrimSpace(body)) == 0:
		return "empty report"
	case !utf8.Valid(body):
		return "report text is not UTF-8"
	case body[0] == '{' || body[0] == '[':
		return "report body is JSON, not a document"
	}
	return ""
}
