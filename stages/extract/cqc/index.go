package cqc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/warehouse"
)

// key names an organisation: kind is "location" or "provider".
type key struct{ kind, id string }

// seen is what the archive holds for one ID.
type seen struct {
	at       time.Time // latest good or 404 answer
	gone     bool      // that answer was a 404
	everGood bool      // some good body exists
}

// pageKey names a list page: the endpoint, its query without "page", the page.
type pageKey struct {
	endpoint, query string
	page            int
}

// archivedPage is a list page and when it was fetched.
type archivedPage struct {
	page
	at time.Time
}

// links are what a location body says about its neighbours.
type links struct {
	provider string
	pred     []string // HSCA Predecessor relationships, and ratings' organisationId
	succ     []string // HSCA Successor relationships
	reports  []string // its reports' documents: linkId, and linkId/relatedDocumentType
	facets   facets   // what the list filters match
}

// facets are a location's values of the list filters, in Filters order:
// region, localAuthority, careHome, inspectionDirectorate ("" when absent).
type facets [4]string

// index is what the archive already holds, rebuilt at the start of every
// run: the archive is the extract stage's checkpoint.
type index struct {
	last  map[key]seen
	pages map[pageKey]archivedPage // good list pages (replayed only if fetched since the backfill began)
	links map[string]datedLinks    // from the latest good body of each location
	// provReports: from the latest good body of each provider, its reports'
	// documents (an NHS trust's provider-level reports), as links.reports.
	provReports map[string]datedLinks
	torn        archive.SegmentStats // what reading segments found
	read        int                  // segments read in full (not summarised before)
}

type datedLinks struct {
	links
	at time.Time
}

// summaryVersion is the layout of segment summaries; others are rebuilt.
// Version 2 counts as good only what archive.Head.Good does (version 1
// took a soft 429 archived without its Error for a good body); version 3
// adds the taxonomy ("inspection_areas/"), reports ("report_text/<doc>",
// "report_pdf/<doc>") and the report documents of each location; version 4
// the list filters' values of each location (facets); version 5 the report
// documents of each provider (ProvReports: older summaries lack them, so
// they are rebuilt).
const summaryVersion = 5

// summaryDir holds one summary per sealed archive segment. A sealed segment
// never changes, so its summary is written once and a run reads in full only
// the segments written since the last run (a nightly run need not decode the
// whole archive). Deleting the directory is always safe: it is rebuilt.
func summaryDir(root string) string {
	return filepath.Join(warehouse.StateDir(root), "cqc-extract-segments")
}

// segmentSummary is what one segment holds, as buildIndex needs it.
type segmentSummary struct {
	Version int                     `json:"version"`
	Size    int64                   `json:"size"` // of the segment file summarised
	Seen    map[string]summarySeen  `json:"seen"` // "location/1-101"
	Pages   []summaryPage           `json:"pages,omitempty"`
	Links   map[string]summaryLinks `json:"links,omitempty"` // by location ID
	// ProvReports: by provider ID, its latest good body's report documents
	// (only At and Reports set).
	ProvReports map[string]summaryLinks `json:"provider_reports,omitempty"`
}

type summarySeen struct {
	At       time.Time `json:"at"`
	Gone     bool      `json:"gone,omitempty"`
	EverGood bool      `json:"ever_good,omitempty"`
}

type summaryPage struct {
	Endpoint   string    `json:"endpoint"`
	Query      string    `json:"query"`
	Page       int       `json:"page"`
	At         time.Time `json:"at"`
	IDs        []string  `json:"ids"`
	TotalPages int       `json:"total_pages"`
	Total      int       `json:"total"`
	HasNext    bool      `json:"has_next"`
}

type summaryLinks struct {
	At       time.Time `json:"at"`
	Provider string    `json:"provider,omitempty"`
	Pred     []string  `json:"pred,omitempty"`
	Succ     []string  `json:"succ,omitempty"`
	Reports  []string  `json:"reports,omitempty"`
	Facets   facets    `json:"facets"`
}

// buildIndex reads the archive under root: each sealed segment from its
// summary when one is saved, any other in full (then saves its summary).
func buildIndex(root string) (*index, error) {
	idx := &index{last: map[key]seen{}, pages: map[pageKey]archivedPage{}, links: map[string]datedLinks{}, provReports: map[string]datedLinks{}}
	paths, err := archive.Segments(root)
	if err != nil {
		return nil, fmt.Errorf("read the raw archive to resume: %w", err)
	}
	dir := summaryDir(root)
	keep := map[string]bool{}
	for _, p := range paths {
		sealed := !strings.HasSuffix(p, ".open")
		name := filepath.Base(p) + ".json"
		keep[name] = true
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read the raw archive to resume: %w", err)
		}
		var sum segmentSummary
		if sealed {
			if err := durable.LoadJSON(filepath.Join(dir, name), &sum); err != nil || sum.Version != summaryVersion || sum.Size != fi.Size() {
				sum = segmentSummary{}
			}
		}
		if sum.Version == 0 {
			sum = segmentSummary{Version: summaryVersion, Size: fi.Size(), Seen: map[string]summarySeen{}, Links: map[string]summaryLinks{}, ProvReports: map[string]summaryLinks{}}
			st, err := archive.ReadSegment(p, func(r *archive.Record) error { sum.add(r); return nil })
			if err != nil {
				return nil, fmt.Errorf("read the raw archive to resume: %w", err)
			}
			idx.read++
			idx.torn.Records += st.Records
			idx.torn.TornBytes += st.TornBytes
			idx.torn.Torn = idx.torn.Torn || st.Torn
			if sealed {
				if err := durable.SaveJSON(filepath.Join(dir, name), &sum); err != nil {
					return nil, fmt.Errorf("save the summary of archive segment %s: %w", p, err)
				}
			}
		}
		idx.merge(&sum)
	}
	// Summaries of segments no longer in the archive go.
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if !keep[e.Name()] && strings.HasSuffix(e.Name(), ".json") {
				_ = os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	return idx, nil
}

// add summarises one record. A good body is one normalise would use
// (archive.Head.Good): extract classified every answer when it came, so a
// bad 200 (a soft 429, a cut body) carries its reason in Error, but an
// archive written before Error named the soft 429 holds it as a 200 with
// the gateway's error envelope for a body, which is no body either.
func (s *segmentSummary) add(r *archive.Record) {
	good := r.Head().Good()
	switch r.Endpoint {
	case archive.EndpointLocation, archive.EndpointProvider:
		if r.ID == "" || (!good && r.Status != http.StatusNotFound) {
			return
		}
		kind := kindOf(r.Endpoint)
		name := kind + "/" + r.ID
		e := s.Seen[name]
		if !r.FetchedAt.Before(e.At) {
			e.At, e.Gone = r.FetchedAt, !good
		}
		e.EverGood = e.EverGood || good
		s.Seen[name] = e
		if good && kind == kindLocation {
			if l, err := parseLinks(r.Body); err == nil && !r.FetchedAt.Before(s.Links[r.ID].At) {
				s.Links[r.ID] = summaryLinks{At: r.FetchedAt, Provider: l.provider, Pred: l.pred, Succ: l.succ, Reports: l.reports, Facets: l.facets}
			}
		}
		if good && kind == kindProvider {
			if docs, err := parseProviderReports(r.Body); err == nil && !r.FetchedAt.Before(s.ProvReports[r.ID].At) {
				s.ProvReports[r.ID] = summaryLinks{At: r.FetchedAt, Reports: docs}
			}
		}
	case archive.EndpointReport:
		if r.ID != "" && ((r.Status == http.StatusOK && r.Error == "") || r.Status == http.StatusNotFound) {
			name := reportKind(r.Accept) + "/" + r.ID
			if !r.FetchedAt.Before(s.Seen[name].At) {
				s.Seen[name] = summarySeen{At: r.FetchedAt, Gone: r.Status == http.StatusNotFound}
			}
		}
	case archive.EndpointInspectionAreas:
		if good && !r.FetchedAt.Before(s.Seen[r.Endpoint+"/"].At) {
			s.Seen[r.Endpoint+"/"] = summarySeen{At: r.FetchedAt, EverGood: true}
		}
	case archive.EndpointLocations, archive.EndpointProviders:
		if !good {
			return
		}
		u, err := url.Parse(r.URL)
		if err != nil {
			return
		}
		q := u.Query()
		n := atoiOr(q.Get("page"), 1)
		q.Del("page")
		p, err := parsePage(r.Endpoint, r.Body)
		if err != nil {
			return
		}
		s.Pages = append(s.Pages, summaryPage{Endpoint: r.Endpoint, Query: q.Encode(), Page: n, At: r.FetchedAt,
			IDs: p.IDs, TotalPages: p.TotalPages, Total: p.Total, HasNext: p.HasNext})
	}
}

func (idx *index) merge(s *segmentSummary) {
	for name, e := range s.Seen {
		kind, id, _ := strings.Cut(name, "/")
		k := key{kind, id}
		cur := idx.last[k]
		if !e.At.Before(cur.at) {
			cur.at, cur.gone = e.At, e.Gone
		}
		cur.everGood = cur.everGood || e.EverGood
		idx.last[k] = cur
	}
	for _, p := range s.Pages {
		k := pageKey{p.Endpoint, p.Query, p.Page}
		if cur, ok := idx.pages[k]; !ok || !p.At.Before(cur.at) {
			idx.pages[k] = archivedPage{page{IDs: p.IDs, Page: p.Page, TotalPages: p.TotalPages, Total: p.Total, HasNext: p.HasNext}, p.At}
		}
	}
	for id, l := range s.Links {
		if cur, ok := idx.links[id]; !ok || !l.At.Before(cur.at) {
			idx.links[id] = datedLinks{links{provider: l.Provider, pred: l.Pred, succ: l.Succ, reports: l.Reports, facets: l.Facets}, l.At}
		}
	}
	for id, l := range s.ProvReports {
		if cur, ok := idx.provReports[id]; !ok || !l.At.Before(cur.at) {
			idx.provReports[id] = datedLinks{links{reports: l.Reports}, l.At}
		}
	}
}

// mark records a good (or 404) answer for k at t, if it is the latest.
func (idx *index) mark(k key, t time.Time, gone bool) {
	s := idx.last[k]
	if !t.Before(s.at) {
		s.at, s.gone = t, gone
	}
	s.everGood = s.everGood || !gone
	idx.last[k] = s
}

// lookup finds k, trying the upper-cased ID for IDs with lower-case letters
// (the API answers 400 to those; extract retries them upper-cased).
func (idx *index) lookup(k key) (seen, bool) {
	if s, ok := idx.last[k]; ok {
		return s, true
	}
	if up := strings.ToUpper(k.id); up != k.id {
		s, ok := idx.last[key{k.kind, up}]
		return s, ok
	}
	return seen{}, false
}

// archivedSince reports whether k has a good or 404 answer at or after t.
// A zero t means "ever".
func (idx *index) archivedSince(k key, t time.Time) bool {
	s, ok := idx.lookup(k)
	return ok && !s.at.Before(t)
}

// parseLinks reads a location body's neighbours: its provider, its
// predecessors (relationships of type "HSCA Predecessor" and the
// organisationId of inherited ratings) and its successors ("HSCA Successor").
// Other relationship types are taken as predecessors (fetched once).
func parseLinks(body []byte) (links, error) {
	var loc schemas.Location
	if err := json.Unmarshal(body, &loc); err != nil {
		return links{}, err
	}
	var l links
	for i, p := range []*string{loc.Region, loc.LocalAuthority, loc.CareHome, loc.InspectionDirectorate} {
		if p != nil {
			l.facets[i] = *p
		}
	}
	if loc.ProviderID != nil {
		l.provider = *loc.ProviderID
	}
	for _, rel := range loc.Relationships {
		if rel.RelatedLocationID == "" {
			continue
		}
		if strings.EqualFold(rel.Type, "HSCA Successor") {
			l.succ = append(l.succ, rel.RelatedLocationID)
		} else {
			l.pred = append(l.pred, rel.RelatedLocationID)
		}
	}
	org := func(p *string) {
		if p != nil && *p != "" && *p != loc.LocationID {
			l.pred = append(l.pred, *p)
		}
	}
	if cr := loc.CurrentRatings; cr != nil {
		if o := cr.Overall; o != nil {
			org(o.OrganisationID)
			for _, kq := range o.KeyQuestionRatings {
				org(kq.OrganisationID)
			}
		}
		for _, sr := range cr.ServiceRatings {
			org(sr.OrganisationID)
			for _, kq := range sr.KeyQuestionRatings {
				org(kq.OrganisationID)
			}
		}
	}
	for _, h := range loc.HistoricRatings {
		org(h.OrganisationID)
	}
	l.reports = reportDocuments(loc.Reports)
	return l, nil
}

// parseProviderReports reads a provider body's report documents: an NHS
// trust lists its provider-level (well-led) reports there, and no location
// lists them (docs/architecture.md, "CQC API: reports").
func parseProviderReports(body []byte) ([]string, error) {
	var p struct {
		Reports []schemas.Report `json:"reports"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	return reportDocuments(p.Reports), nil
}

// reportDocuments lists the documents of a reports list: each report's
// linkId, and linkId/relatedDocumentType of its related documents.
func reportDocuments(reports []schemas.Report) []string {
	var docs []string
	for _, rep := range reports {
		if rep.LinkID == "" {
			continue
		}
		docs = append(docs, rep.LinkID)
		for _, d := range rep.RelatedDocuments {
			if d.DocumentType != "" {
				docs = append(docs, rep.LinkID+"/"+d.DocumentType)
			}
		}
	}
	return docs
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return def
}
