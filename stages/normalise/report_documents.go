package normalise

// Report documents: the latest good answer to each GET /reports/... call
// becomes a row of report_texts (a text body) or report_files (a PDF kept
// beside the archive), once per organisation (location, or provider: an NHS
// trust's provider-level reports) whose reports list names it
// (schemas.CQCReportTexts; docs/architecture.md, "CQC API: reports").

import (
	"context"
	"strings"

	"carelake/schemas/archive"
)

// reportOwner is an organisation listing a report, and the date it gives
// it: a location, or a provider (an NHS trust's provider-level reports).
type reportOwner struct {
	location, provider, date string
}

// emitReportDocuments reads each document's latest good answer, segment by
// segment, and writes its rows.
func emitReportDocuments(ctx context.Context, root string, segments []string, docs map[string]latest, em *emitter) error {
	bySeg := map[int]map[int64]string{}
	for id, l := range docs {
		m := bySeg[l.at.seg]
		if m == nil {
			m = map[int64]string{}
			bySeg[l.at.seg] = m
		}
		m[l.at.seq] = id
	}
	for si, path := range segments {
		want := bySeg[si]
		if len(want) == 0 {
			continue
		}
		seg := relPath(root, path)
		_, err := archive.ReadLines(path, func(line []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			seq, err := archive.SeqOf(line)
			if err != nil {
				return err
			}
			id, ok := want[seq]
			if !ok {
				return nil
			}
			rec, err := archive.DecodeRecord(line)
			if err != nil {
				return err
			}
			return em.reportDocument(id, rec, seg)
		})
		if err != nil {
			return err
		}
	}
	return em.err
}

// reportDocument writes the rows of one document: a text body or a PDF kept
// as a file; anything else (a JSON body) is not a document and is skipped.
func (e *emitter) reportDocument(id string, rec *archive.Record, seg string) error {
	link, docType, _ := strings.Cut(id, "/")
	b := e.t.reportTexts
	switch {
	case rec.File != "":
		b = e.t.reportFiles
	case rec.BodyText == "":
		return nil
	}
	owners := e.owners[link]
	if len(owners) == 0 {
		owners = []reportOwner{{}}
	}
	for _, o := range owners {
		b.String("link_id", link)
		b.NonEmpty("document_type", docType)
		b.NonEmpty("location_id", o.location)
		b.NonEmpty("provider_id", o.provider)
		if o.date != "" {
			d, ok := parseDate(o.date)
			b.Date("report_date", d, ok)
		} else {
			b.Null("report_date")
		}
		if rec.File != "" {
			b.String("path", rec.File)
			b.Int64("bytes", int64(rec.BodyBytes))
			b.Bool("asked_for_text", rec.Accept == "text/plain")
		} else {
			b.String("text", rec.BodyText)
		}
		b.Time("fetched_at", rec.FetchedAt)
		b.String("archive_segment", seg)
		b.Int64("archive_seq", rec.Seq)
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}
