package cqc

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/internal/testkit"
	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/stages/normalise"
)

const reportsPrefix = "/public/v1/reports/"

// reportDocs lists, sorted, the report documents (linkId, and
// linkId/relatedDocumentType) the given organisations' bodies list: the
// locations' reports and the providers' (an NHS trust's provider-level
// reports).
func reportDocs(t *testing.T, sim *cqcsim.Sim, orgs map[key]bool) []string {
	t.Helper()
	seen := map[string]bool{}
	for k := range orgs {
		var body []byte
		var ok bool
		if k.kind == kindLocation {
			body, ok = sim.LocationBody(k.id)
		} else {
			body, ok = sim.ProviderBody(k.id)
		}
		if !ok {
			continue
		}
		var org struct{ Reports []schemas.Report }
		if err := json.Unmarshal(body, &org); err != nil {
			t.Fatal(err)
		}
		for _, r := range org.Reports {
			seen[r.LinkID] = true
			for _, d := range r.RelatedDocuments {
				seen[r.LinkID+"/"+d.DocumentType] = true
			}
		}
	}
	var out []string
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// providerReportDocs lists, sorted, the documents of the provider-level
// reports of every provider the simulator serves.
func providerReportDocs(t *testing.T, sim *cqcsim.Sim) []string {
	t.Helper()
	provs := map[key]bool{}
	for _, id := range sim.ProviderIDs() {
		provs[key{kindProvider, id}] = true
	}
	return reportDocs(t, sim, provs)
}

// reportCalls counts the report answers the simulator gave in full, by document.
func reportCalls(reqs []cqcsim.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		if doc, ok := strings.CutPrefix(r.Path, reportsPrefix); ok && r.Status != 0 && !r.Throttled && r.Fault == "" {
			out[doc]++
		}
	}
	return out
}

// fetchedOnce fails t for each document of calls (reportCalls) fetched
// more than once, and returns the documents, sorted.
func fetchedOnce(t *testing.T, calls map[string]int) []string {
	t.Helper()
	var got []string
	for d, n := range calls {
		if n != 1 {
			t.Errorf("%s fetched %d times", d, n)
		}
		got = append(got, d)
	}
	sort.Strings(got)
	return got
}

// archivedReports maps each report document to its archived answers.
func archivedReports(t *testing.T, root string) map[string][]archive.Record {
	t.Helper()
	out := map[string][]archive.Record{}
	for _, r := range readArchive(t, root).records {
		if r.Endpoint == archive.EndpointReport {
			out[r.ID] = append(out[r.ID], r)
		}
	}
	return out
}

// With --reports text in the clinics scope, every report document of the
// closure's locations is fetched once as text, within the budget, and
// archived raw; the API's PDF for a report without text and its 404s are
// answers too; a rerun fetches none again.
func TestReportsOfTheClinicsScope(t *testing.T) {
	t.Parallel()
	const limit, window = 300, time.Second
	e := newSimEnv(t, cqcsim.Config{Seed: 21, Locations: 3000, RateLimit: limit, RateWindow: window})
	seeds := pickClinics(t, e.sim)
	opts := e.options()
	opts.Client.RateLimit, opts.Client.RateWindow, opts.Client.RateMargin = limit, window, 500*time.Millisecond
	opts.Scope, opts.ClinicsFile, opts.Reports = ScopeClinics, writeClinics(t, t.TempDir(), seeds), ReportsText
	sum := e.extract(t, opts)
	budgetKept(t, e.sim, limit, window)

	want := reportDocs(t, e.sim, closure(t, e.sim, seeds))
	calls := reportCalls(e.sim.Requests())
	got := fetchedOnce(t, calls)
	if len(want) < 10 || !slices.Equal(got, want) {
		t.Fatalf("fetched reports %v\nwant %v", got, want)
	}
	texts, pdfs := 0, 0
	for _, d := range want {
		recs := archivedReports(t, e.root)[d]
		if len(recs) != 1 {
			t.Fatalf("%s archived %d times", d, len(recs))
		}
		r := recs[0]
		switch {
		case r.Accept != "text/plain":
			t.Fatalf("%s asked with Accept %q", d, r.Accept)
		case r.Status == 200 && r.File != "":
			pdfs++ // the API has no text for it
		case r.Status == 200 && strings.Contains(r.BodyText, "Care Quality Commission"):
			texts++
		default:
			t.Fatalf("%s archived as %+v", d, r)
		}
	}
	if texts == 0 || sum.Reports.Fetched != len(want) || sum.Reports.Pending != 0 || sum.Outcome != OutcomeComplete {
		t.Fatalf("%d texts, %d PDFs; summary %+v, outcome %s", texts, pdfs, sum.Reports, sum.Outcome)
	}

	before := len(e.sim.Requests())
	sum = e.extract(t, opts)
	if n := len(reportCalls(e.sim.Requests()[before:])); n != 0 || sum.Reports.Archived != len(want) {
		t.Fatalf("rerun fetched %d reports again; summary %+v", n, sum.Reports)
	}
}

// With --reports pdf the PDF is kept whole beside the archive and the
// record names it; a document the API does not have (404) is archived as
// gone and never asked again.
func TestReportPDFsBesideTheArchive(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 23, Locations: 400})
	opts := e.options()
	opts.Reports = ReportsPDF
	opts.Filters = Filters{Region: []string{"London"}}
	sum := e.extract(t, opts)
	archived := archivedReports(t, e.root)
	if len(archived) < 5 || sum.Reports.Fetched+sum.Reports.Gone != len(archived) {
		t.Fatalf("%d documents archived; summary %+v", len(archived), sum.Reports)
	}
	for d, recs := range archived {
		r := recs[0]
		if len(recs) != 1 || r.Status != 200 || r.Accept != "application/pdf" || r.BodyText != "" || r.Body != nil {
			t.Fatalf("%s: %d records, first %+v", d, len(recs), r)
		}
		b, err := os.ReadFile(filepath.Join(e.root, filepath.FromSlash(r.File)))
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) || len(b) != r.BodyBytes {
			t.Fatalf("%s: file %s (%d bytes, record says %d): %v", d, r.File, len(b), r.BodyBytes, err)
		}
	}

	// A related document the report does not have: the API's 404.
	link := ""
	for d := range archived {
		link, _, _ = strings.Cut(d, "/")
		break
	}
	w, err := archive.Open(e.root, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	co := opts.Client.withDefaults()
	c := newClient(co, newBudget(co.RateLimit, co.RateWindow, co.RateMargin, 0), w, e.sim.Clock, testLogger(t))
	r, err := c.do(t.Context(), t.Context(), reportRequest(link+"/Use of Resources", ReportsPDF))
	if cerr := w.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil || !r.gone {
		t.Fatalf("missing related document: %+v, %v", r, err)
	}
}

// kill -9 of a real extract process while it fetches reports, then a
// rerun: no report archived before the kill is fetched again, none is
// lost, and only the answers in flight at the kill are asked twice.
func TestKill9DuringReportFetch(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 25, Locations: 3000,
		Faults: cqcsim.Faults{LatencyMin: 5 * time.Millisecond, LatencyMax: 30 * time.Millisecond}})
	seeds := append(pickClinics(t, e.sim), e.sim.LocationIDs()[:40]...)
	clinics := writeClinics(t, t.TempDir(), seeds)
	want := reportDocs(t, e.sim, closure(t, e.sim, seeds))
	if len(want) < 20 {
		t.Fatalf("only %d report documents in the closure", len(want))
	}
	killChild(t, childSettings{Root: e.root, BaseURL: e.base, RateLimit: 300, Clock: e.sim.Clock(), ClinicsFile: clinics, Reports: ReportsText},
		func() bool { return len(reportCalls(e.sim.Requests())) >= len(want)/3 })
	time.Sleep(100 * time.Millisecond) // let the server finish answering the cut calls
	first := reportCalls(e.sim.Requests())
	if len(first) >= len(want) {
		t.Fatal("the child fetched every report before the kill: the test proves nothing")
	}
	afterKill := archivedReports(t, e.root)
	inFlight := map[string]bool{}
	for d := range first {
		if len(afterKill[d]) == 0 {
			inFlight[d] = true
		}
	}
	if len(inFlight) > 8 {
		t.Fatalf("%d report answers lost at the kill, concurrency is 8", len(inFlight))
	}

	opts := e.options()
	opts.PerPage = 100
	opts.Scope, opts.ClinicsFile, opts.Reports = ScopeClinics, clinics, ReportsText
	before := len(e.sim.Requests())
	sum := e.extract(t, opts)
	for d, n := range reportCalls(e.sim.Requests()[before:]) {
		if len(afterKill[d]) > 0 {
			t.Errorf("%s archived before the kill, fetched again %d times", d, n)
		}
	}
	final := archivedReports(t, e.root)
	for _, d := range want {
		if n := len(final[d]); n != 1 {
			t.Errorf("%s archived %d times, want once", d, n)
		}
	}
	if sum.Reports.Pending != 0 || sum.Reports.Failed != 0 || sum.Reports.Archived != len(afterKill) {
		t.Errorf("rerun summary %+v; %d archived before the kill", sum.Reports, len(afterKill))
	}
	t.Logf("killed after %d report answers (%d in flight); %d of %d documents archived before the kill", len(first), len(inFlight), len(afterKill), len(want))
}

// nhsTrustWithReports finds a provider with provider-level reports and a
// location of it the simulator serves.
func nhsTrustWithReports(t *testing.T, sim *cqcsim.Sim) (provider, location string) {
	t.Helper()
	for _, id := range sim.LocationIDs() {
		body, _ := sim.LocationBody(id)
		var loc schemas.Location
		if json.Unmarshal(body, &loc) != nil || loc.ProviderID == nil {
			continue
		}
		if len(reportDocs(t, sim, map[key]bool{{kindProvider, *loc.ProviderID}: true})) > 0 {
			return *loc.ProviderID, id
		}
	}
	t.Fatal("the simulator has no NHS trust with provider-level reports")
	return "", ""
}

// With --reports text in the unfiltered scope, the provider-level reports
// NHS trusts list only in their provider bodies are fetched, each once, a
// rerun fetches none of them again, and normalise writes each one's row
// with the provider listing it and no location.
func TestProviderReportsOfTheRegister(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 23, Locations: 1000})
	want := providerReportDocs(t, e.sim)
	if len(want) < 10 {
		t.Fatalf("only %d provider-level report documents: the test proves little", len(want))
	}
	opts := e.options()
	opts.Reports = ReportsText
	sum := e.extract(t, opts)
	calls := reportCalls(e.sim.Requests())
	for _, d := range want {
		if calls[d] != 1 {
			t.Errorf("provider-level %s fetched %d times, want once", d, calls[d])
		}
	}
	fetchedOnce(t, calls)
	if sum.Reports.Fetched+sum.Reports.Gone != len(calls) || sum.Reports.Pending != 0 || sum.Outcome != OutcomeComplete {
		t.Fatalf("%d documents fetched; summary %+v, outcome %s", len(calls), sum.Reports, sum.Outcome)
	}
	archived := archivedReports(t, e.root)
	for _, d := range want {
		if len(archived[d]) != 1 || archived[d][0].Status != 200 {
			t.Errorf("provider-level %s archived as %+v", d, archived[d])
		}
	}

	before := len(e.sim.Requests())
	sum = e.extract(t, opts)
	if n := len(reportCalls(e.sim.Requests()[before:])); n != 0 || sum.Reports.Archived != len(calls) {
		t.Fatalf("rerun fetched %d reports again; summary %+v", n, sum.Reports)
	}

	// Normalised, each provider-level document's row names the provider
	// listing it, and no location.
	lister := map[string]string{}
	for _, id := range e.sim.ProviderIDs() {
		for _, d := range reportDocs(t, e.sim, map[key]bool{{kindProvider, id}: true}) {
			lister[d] = id
		}
	}
	if _, err := normalise.Run(t.Context(), normalise.Options{Root: e.root, Logger: testLogger(t)}); err != nil {
		t.Fatal(err)
	}
	out, err := testkit.DumpStaged(e.root, normalise.Stage, schemas.CQCTables())
	if err != nil {
		t.Fatal(err)
	}
	rows := append(testkit.ParseRows(t, out[schemas.CQCReportTexts.Dataset]), testkit.ParseRows(t, out[schemas.CQCReportFiles.Dataset])...)
	texts := 0
	for _, d := range want {
		link, typ, _ := strings.Cut(d, "/")
		var docType any
		if typ != "" {
			docType = typ
		}
		r := testkit.One(t, rows, "link_id", link, "document_type", docType)
		if r["provider_id"] != lister[d] || r["location_id"] != nil || r["report_date"] == nil {
			t.Errorf("provider-level %s: row %v, want provider %s and no location", d, r, lister[d])
		}
		if r["text"] != nil {
			texts++
		}
	}
	if texts == 0 {
		t.Error("no provider-level report normalised as text")
	}
	for _, r := range rows {
		if r["location_id"] != nil && r["provider_id"] != nil {
			t.Errorf("a row names both a location and a provider: %v", r)
		}
	}
}

// In the clinics scope, the provider of a clinic's location that is an NHS
// trust has its provider-level reports fetched; no other trust's are.
func TestProviderReportsOfTheClinicsScope(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 23, Locations: 1000})
	prov, loc := nhsTrustWithReports(t, e.sim)
	opts := e.options()
	opts.Scope, opts.ClinicsFile, opts.Reports = ScopeClinics, writeClinics(t, t.TempDir(), []string{loc}), ReportsText
	sum := e.extract(t, opts)

	own := reportDocs(t, e.sim, map[key]bool{{kindProvider, prov}: true})
	want := reportDocs(t, e.sim, closure(t, e.sim, []string{loc}))
	calls := reportCalls(e.sim.Requests())
	got := fetchedOnce(t, calls)
	if !slices.Equal(got, want) {
		t.Fatalf("fetched reports %v\nwant %v", got, want)
	}
	for _, d := range own {
		if calls[d] != 1 {
			t.Errorf("provider %s's %s fetched %d times, want once", prov, d, calls[d])
		}
	}
	if other := providerReportDocs(t, e.sim); len(other) == len(own) {
		t.Fatal("one NHS trust only: the test cannot tell the scope's from the others'")
	}
	if sum.Reports.Pending != 0 || sum.Outcome != OutcomeComplete {
		t.Fatalf("summary %+v, outcome %s", sum.Reports, sum.Outcome)
	}
}
