package normalise

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"carelake/schemas/archive"
	"carelake/schemas/staging"
)

const snapshot = "2026-11-21"

// caseChecks asserts, per golden case, the facts the case exists for, so a
// careless -update cannot bless a wrong result.
var caseChecks = map[string]func(t *testing.T, rows map[string][]row, sum Summary){
	"full_location_and_provider": func(t *testing.T, rows map[string][]row, sum Summary) {
		loc := one(t, rows["locations"], "location_id", "1-10000792582")
		for col, want := range map[string]any{
			"number_of_beds": 0.0, "onspd_latitude": 53.4999312, "registration_date": "2020-12-09",
			"uprn": "100051981017", "brand_name": "BRAND Greensleeves", "overall_rating": "Good",
			"overall_rating_date": "2022-07-15", "overall_rating_inherited": false, "overall_rating_source": "currentRatings",
			"last_inspection_date": "2022-06-23", "postal_address_county": nil, "api_gone_at": nil,
			"unpublished_report_count": 2.0, "latest_unpublished_first_visit_date": "2026-11-02", "archive_seq": 2.0,
		} {
			if loc[col] != want {
				t.Errorf("locations.%s = %v, want %v", col, loc[col], want)
			}
		}
		if !strings.HasPrefix(loc["archive_segment"].(string), "raw/cqc/date=") {
			t.Errorf("archive pointer %v", loc["archive_segment"])
		}
		kq := find(rows["location_ratings"], "location_id", "1-10000792582", "kind", "key_question")
		if len(kq) != 5 {
			t.Fatalf("want 5 key questions, got %v", kq)
		}
		if r := one(t, kq, "name", "Well-led"); r["rating"] != "Requires improvement" || r["rating_category"] != "requires_improvement" {
			t.Errorf("Well-led matched by name: %v", r)
		}
		// Timeline: the 2019 Safe rating ends when the 2022 one starts.
		h := one(t, rows["location_rating_history"], "name", "Safe", "report_link_id", "cea3c47c-0002-4000-8000-000000000002")
		if h["valid_to"] != "2022-07-15" || h["is_current"] != false || h["inherited"] != true || h["organisation_id"] != "1-120431511" {
			t.Errorf("historic Safe row %v", h)
		}
		if c := one(t, rows["location_rating_history"], "name", "Safe", "is_current", true); c["valid_to"] != nil || c["valid_from"] != "2022-07-15" {
			t.Errorf("current Safe row %v", c)
		}
		p := one(t, rows["providers"], "provider_id", "RL4")
		if p["companies_house_number"] != "03959933" || p["location_count"] != 3.0 || p["contact_count"] != 2.0 ||
			p["contact_roles"] != "Chair; Chief Executive; Nominated Individual" {
			t.Errorf("provider %v", p)
		}
		if len(find(rows["provider_locations"], "provider_id", "RL4")) != 3 {
			t.Errorf("provider_locations %v", rows["provider_locations"])
		}
		ra := one(t, rows["regulated_activities"], "organisation_id", "RL4", "code", "RA5")
		if ra["contact_count"] != 1.0 || ra["contact_roles"] != "Nominated Individual" {
			t.Errorf("nominated individual: %v", ra)
		}
		one(t, rows["provider_ratings"], "provider_id", "RL4", "kind", "use_of_resources", "rating", "Requires improvement")
		one(t, rows["reports"], "organisation_type", "provider", "link_id", "prov-0001")
		if len(find(rows["report_inspection_locations"], "link_id", "prov-0001")) != 2 {
			t.Error("provider report inspection locations missing")
		}
		one(t, rows["inspection_categories"], "organisation_id", "1-10000792582", "primary", true)
		one(t, rows["specialisms"], "taxonomy", "specialism", "code", "SP12")
	},
	"inherited_overall_no_reports": func(t *testing.T, rows map[string][]row, sum Summary) {
		loc := one(t, rows["locations"], "location_id", "1-222222222")
		if loc["overall_rating_inherited"] != true || loc["overall_rating_organisation_id"] != "1-111111111" ||
			loc["last_inspection_date"] != nil || loc["last_report_publication_date"] != "2022-01-01" {
			t.Errorf("location %v", loc)
		}
		if len(rows["reports"]) != 0 {
			t.Errorf("no reports expected: %v", rows["reports"])
		}
		// The key question without its own organisationId names the same
		// report as the inherited overall: it is inherited too.
		eff := one(t, rows["location_ratings"], "name", "Effective")
		if eff["inherited"] != true || eff["organisation_id"] != "1-111111111" {
			t.Errorf("Effective %v", eff)
		}
	},
	"inspection_area_taxonomy": func(t *testing.T, rows map[string][]row, sum Summary) {
		tax := rows["inspection_area_taxonomy"]
		// The latest good answer only: not the older one, not the soft 429.
		if len(tax) != 8 || len(find(tax, "inspection_area_id", "stale")) != 0 {
			t.Fatalf("taxonomy rows %v", tax)
		}
		if r := one(t, tax, "inspection_area_id", "old"); r["inspection_area_name"] != "Older people" ||
			r["current_area_ids"] != "old" || r["supersession_depth"] != 0.0 || r["inspection_category_codes"] != "P2" {
			t.Errorf("an active area is its own current area: %v", r)
		}
		// Followed through a chain of two to every current successor.
		if r := one(t, tax, "inspection_area_id", "maternity"); r["current_area_ids"] != "gynaecology; maternityservices" ||
			r["current_area_names"] != "Gynaecology; Maternity services" || r["supersession_depth"] != 2.0 ||
			r["superseded_by"] != "maternityonly; gynaecology" || r["in_cycle"] != false || r["end_date"] != "2016-06-30" {
			t.Errorf("superseded area %v", r)
		}
		// A cycle is flagged and not followed twice; a successor the
		// taxonomy lacks is current, named by its ID.
		for _, id := range []string{"loopa", "loopb"} {
			if r := one(t, tax, "inspection_area_id", id); r["in_cycle"] != true || r["current_area_ids"] != "gone" || r["current_area_names"] != "gone" {
				t.Errorf("cycle member %v", r)
			}
		}
		one(t, rows["rejects"], "entity_type", "inspection_areas", "field", "inspectionAreas[].orgInspectionAreaRetirementDate")
	},
	"report_documents": func(t *testing.T, rows map[string][]row, sum Summary) {
		texts := rows["report_texts"]
		// The latest good answer of each document, with the location that lists it.
		if r := one(t, texts, "link_id", "rep-1"); r["location_id"] != "1-500" || r["report_date"] != "2024-03-01" ||
			r["document_type"] != nil || !strings.Contains(r["text"].(string), "medicines safely") {
			t.Errorf("rep-1 %v", r)
		}
		// Not listed by any archived location: kept, without one; the later 503 is no answer.
		if r := one(t, texts, "link_id", "rep-9"); r["location_id"] != nil || r["report_date"] != nil {
			t.Errorf("rep-9 %v", r)
		}
		// A report without text is the PDF beside the archive; the 404 is nothing.
		if r := one(t, rows["report_files"], "link_id", "rep-2"); r["path"] != "raw/cqc-files/rep-2.pdf" || r["bytes"] != 1520.0 ||
			r["asked_for_text"] != true || r["report_date"] != "2021-06-15" {
			t.Errorf("rep-2 %v", r)
		}
		// A provider-level report (an NHS trust's): the provider listing it, no location.
		for _, typ := range []any{nil, "Use of Resources"} {
			if r := one(t, texts, "link_id", "prov-rep-1", "document_type", typ); r["provider_id"] != "RXA" || r["location_id"] != nil || r["report_date"] != "2023-11-20" {
				t.Errorf("prov-rep-1 %v: %v", typ, r)
			}
		}
		if r := one(t, texts, "link_id", "rep-1"); r["provider_id"] != nil {
			t.Errorf("a location's row names a provider: %v", r)
		}
		if len(texts) != 4 || len(rows["report_files"]) != 1 {
			t.Errorf("%d texts, %d files", len(texts), len(rows["report_files"]))
		}
	},
	"key_questions_inherited": func(t *testing.T, rows map[string][]row, sum Summary) {
		loc := one(t, rows["locations"], "location_id", "1-10324127390")
		if loc["overall_rating_inherited"] != false || loc["overall_rating"] != "Requires improvement" {
			t.Errorf("overall must not be inherited: %v", loc)
		}
		for _, r := range find(rows["location_ratings"], "kind", "key_question") {
			if r["inherited"] != true || r["organisation_id"] != "1-2000000001" {
				t.Errorf("key question not inherited: %v", r)
			}
		}
		if r := one(t, rows["location_ratings"], "name", "Caring"); r["report_date"] != "2021-01-15" {
			t.Errorf("Caring keeps its own report date: %v", r)
		}
	},
	"historic_organisation_id": func(t *testing.T, rows map[string][]row, sum Summary) {
		hist := rows["location_rating_history"]
		// The historic entry repeating the current report is not duplicated.
		if n := len(find(hist, "name", "Overall", "report_link_id", "hist-0004")); n != 1 {
			t.Errorf("current report listed %d times in the timeline", n)
		}
		old := one(t, hist, "name", "Overall", "report_link_id", "hist-0001")
		if old["rating_category"] != "inspected_but_not_rated" || old["inherited"] != true || old["valid_to"] != "2019-02-11" {
			t.Errorf("oldest overall %v", old)
		}
		mid := one(t, hist, "name", "Overall", "report_link_id", "hist-0003")
		if mid["inherited"] != false || mid["organisation_id"] != nil || mid["valid_to"] != "2024-04-10" {
			t.Errorf("own historic overall %v", mid)
		}
		safe := find(hist, "name", "Safe")
		if len(safe) != 3 || safe[0]["is_current"] != true || safe[0]["valid_to"] != nil {
			t.Errorf("Safe timeline %v", safe)
		}
		if c := one(t, hist, "name", "Caring", "report_link_id", "hist-0002"); c["valid_to"] != "2024-04-10" {
			t.Errorf("Caring 2019 ends when the next Caring rating starts: %v", c)
		}
	},
	"assessment_only": func(t *testing.T, rows map[string][]row, sum Summary) {
		loc := one(t, rows["locations"], "location_id", "1-15000000001")
		if loc["overall_rating"] != "Requires Improvement" || loc["overall_rating_category"] != "requires_improvement" ||
			loc["overall_rating_source"] != "assessment" || loc["overall_rating_date"] != "2024-01-01" {
			t.Errorf("assessment-only location %v", loc)
		}
		r := one(t, rows["location_ratings"], "location_id", "1-15000000001", "kind", "assessment_key_question", "name", "Safe")
		if r["framework"] != "saf" || r["percentage_score"] != 56.0 || r["in_effect"] != true {
			t.Errorf("SAF key question %v", r)
		}
		one(t, rows["location_ratings"], "kind", "assessment_group_key_question", "parent_name", "Care Homes", "percentage_score", 75.5)
		one(t, rows["rejects"], "entity_id", "1-15000000001", "scope", "field",
			"field", "assessment[].ratings.overall[].keyQuestionRatings[].percentageScore")
		newer := one(t, rows["locations"], "location_id", "1-15000000002")
		if newer["overall_rating"] != "Good" || newer["overall_rating_source"] != "assessment" || newer["overall_rating_date"] != "2026-09-17" {
			t.Errorf("the newer assessment wins over currentRatings: %v", newer)
		}
		legacy := one(t, rows["location_ratings"], "location_id", "1-15000000002", "kind", "overall")
		if legacy["in_effect"] != false {
			t.Errorf("superseded legacy overall %v", legacy)
		}
		h := one(t, rows["location_rating_history"], "location_id", "1-15000000002", "name", "Overall", "framework", "legacy")
		if h["valid_to"] != "2026-09-17" || h["is_current"] != false {
			t.Errorf("legacy overall ends when the assessment starts: %v", h)
		}
		one(t, rows["assessment_service_groups"], "assessment_service_id", "ASG-1", "start_date", "2023-01-01")
		one(t, rows["provider_inspection_areas"], "report_link_id", "pia-1")
	},
	"deregistered": func(t *testing.T, rows map[string][]row, sum Summary) {
		loc := one(t, rows["locations"], "location_id", "1-10001702698")
		if loc["registration_status"] != "Deregistered" || loc["deregistration_date"] != "2021-08-02" || loc["overall_rating"] != nil {
			t.Errorf("deregistered %v", loc)
		}
		one(t, rows["location_relationships"], "type", "HSCA Successor", "related_location_id", "1-12000000009")
		if len(rows["regulated_activities"]) != 0 || len(rows["location_ratings"]) != 0 {
			t.Error("no activities or ratings expected")
		}
	},
	// A deregistered location's ratings end at its deregistration date:
	// none is in effect, every period ends by then; the location row keeps
	// the rating it last held.
	"deregistered_rated": func(t *testing.T, rows map[string][]row, sum Summary) {
		loc := one(t, rows["locations"], "location_id", "1-10000792599")
		if loc["registration_status"] != "Deregistered" || loc["overall_rating"] != "Good" {
			t.Errorf("location %v", loc)
		}
		if len(rows["location_ratings"]) == 0 || len(rows["location_rating_history"]) < len(rows["location_ratings"]) {
			t.Fatalf("%d ratings, %d history rows", len(rows["location_ratings"]), len(rows["location_rating_history"]))
		}
		for _, r := range rows["location_ratings"] {
			if r["in_effect"] != false {
				t.Errorf("in effect after deregistration: %v", r)
			}
		}
		ended := 0
		for _, r := range rows["location_rating_history"] {
			to, _ := r["valid_to"].(string)
			if r["is_current"] != false || to == "" || to > "2024-03-31" {
				t.Errorf("history row not ended by 2024-03-31: %v", r)
			}
			if to == "2024-03-31" {
				ended++
			}
		}
		if ended == 0 {
			t.Error("no period ends at the deregistration date")
		}
	},
	"dental_no_ratings": func(t *testing.T, rows map[string][]row, sum Summary) {
		loc := one(t, rows["locations"], "location_id", "1-10223702130")
		if loc["overall_rating"] != nil || loc["overall_rating_inherited"] != nil || loc["website"] != nil || loc["type"] != "Primary Dental Care" {
			t.Errorf("dental %v", loc)
		}
		if len(rows["location_ratings"]) != 0 || len(rows["location_rating_history"]) != 0 || len(rows["reports"]) != 0 {
			t.Error("dental location has no ratings or reports")
		}
		if r := one(t, rows["regulated_activities"], "code", "RA5"); r["contact_count"] != 1.0 || r["contact_roles"] != "Registered Manager" {
			t.Errorf("contacts reduced to count and roles: %v", r)
		}
	},
	"unknown_ratings": func(t *testing.T, rows map[string][]row, sum Summary) {
		want := map[string]string{
			"Not Yet Inspected": "unknown", "No Published Rating": "no_published_rating",
			"Insufficient evidence to rate": "insufficient_evidence_to_rate", " requires IMPROVEMENT ": "requires_improvement",
			"Do not include in report": "unknown",
		}
		for rating, cat := range want {
			r := one(t, rows["location_ratings"], "rating", rating)
			if r["rating_category"] != cat {
				t.Errorf("%q classified %v, want %s", rating, r["rating_category"], cat)
			}
		}
		loc := one(t, rows["locations"], "location_id", "RL4X1")
		if loc["overall_rating"] != "Not Yet Inspected" || loc["overall_rating_category"] != "unknown" || loc["dormancy_start_date"] != nil {
			t.Errorf("location %v", loc)
		}
		one(t, rows["rejects"], "field", "dormancyStartDate", "reason", `unparseable date "2021-02-30"`)
		one(t, rows["rejects"], "field", "currentRatings.overall.keyQuestionRatings[].reportDate")
		one(t, rows["rejects"], "field", "inspectionCategories[].primary")
		if r := one(t, rows["location_ratings"], "name", "Responsive"); r["report_date"] != nil {
			t.Errorf("unparseable date kept: %v", r)
		}
		sk := one(t, rows["location_ratings"], "kind", "service_key_question", "name", "Well-led")
		if sk["parent_name"] != "conditions" || sk["report_link_id"] != "nx-0" || sk["report_date"] != "2019-01-01" {
			t.Errorf("service key question %v", sk)
		}
		one(t, rows["location_rating_history"], "kind", "service", "name", "conditions", "rating", "Requires improvement", "valid_to", "2019-01-01")
		if sum.RejectedFields != 3 || sum.RejectedBodies != 0 {
			t.Errorf("summary %+v", sum)
		}
	},
	"non_ascii_names": func(t *testing.T, rows map[string][]row, sum Summary) {
		loc := one(t, rows["locations"], "location_id", "1-13000000013")
		if loc["name"] != "Ysbyty Côr – Café Ñandú \"Zoë\" 護理之家 🏥" || loc["postal_address_town_city"] != "Königsbridgeé" ||
			loc["postal_address_line1"] != `Heol y Frenhines\Queen's Road` {
			t.Errorf("names not kept verbatim: %v", loc)
		}
		one(t, rows["location_relationships"], "related_location_name", "Ysbyty Côr (hen)")
	},
	"archive_noise": func(t *testing.T, rows map[string][]row, sum Summary) {
		orchids := one(t, rows["locations"], "location_id", "1-10000792582")
		if orchids["name"] != "Orchids Care" || orchids["api_gone_at"] != nil || orchids["archive_seq"] != 2.0 {
			t.Errorf("soft 429, truncated body, 503 and another location's body after a good body must not replace it: %v", orchids)
		}
		dental := one(t, rows["locations"], "location_id", "1-10223702130")
		if dental["api_gone_at"] != "2026-11-21T02:11:00.000000Z" {
			t.Errorf("a later 404 marks the row gone: %v", dental)
		}
		dereg := one(t, rows["locations"], "location_id", "1-10001702698")
		if dereg["api_gone_at"] != nil || !strings.Contains(dereg["archive_segment"].(string), "-00001.jsonl.zst") {
			t.Errorf("a 404 before the good body does not: %v", dereg)
		}
		if orchids["archive_segment"] == dereg["archive_segment"] {
			t.Error("the second writer session should have its own segment")
		}
		if len(rows["locations"]) != 3 || len(rows["rejects"]) != 0 {
			t.Errorf("only the three good bodies: %v %v", rows["locations"], rows["rejects"])
		}
		if sum.Unusable != 2 || sum.NoID != 1 || sum.Gone != 1 || sum.Locations != 3 {
			t.Errorf("summary %+v", sum)
		}
	},
	"wrong_type": func(t *testing.T, rows map[string][]row, sum Summary) {
		one(t, rows["locations"], "location_id", "1-10223702130")
		if len(rows["locations"]) != 1 || len(rows["providers"]) != 0 {
			t.Errorf("only the good body has rows: %v", rows["locations"])
		}
		for id, reason := range map[string]string{
			"1-14000000014": "numberOfBeds", "1-1": "body has no locationId", "1-2": "does not fit the location schema",
			"1-3": `body's locationId is "1-4" but it was fetched as "1-3"`, "1-5": "locationIds", "1-6": "reportDate",
		} {
			r := one(t, rows["rejects"], "entity_id", id, "scope", "body")
			if !strings.Contains(r["reason"].(string), reason) {
				t.Errorf("reject of %s: %v, want it to mention %q", id, r["reason"], reason)
			}
			if r["archive_seq"] == nil || !strings.HasPrefix(r["archive_segment"].(string), "raw/cqc/") {
				t.Errorf("reject without archive pointer: %v", r)
			}
		}
		if sum.RejectedBodies != 6 {
			t.Errorf("summary %+v", sum)
		}
	},
}

func TestGoldenCases(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		name := d.Name()
		t.Run(name, func(t *testing.T) {
			check, ok := caseChecks[name]
			if !ok {
				t.Fatalf("case %s has no checks in caseChecks", name)
			}
			dir := filepath.Join("testdata", "cases", name)
			root := t.TempDir()
			writeArchive(t, root, filepath.Join(dir, "records.json"))
			sum, err := Run(context.Background(), Options{Root: root, SnapshotDate: snapshot, RunID: "run-" + name, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			out := dumpNormalised(t, root)
			if len(out) != len(normaliseTables()) {
				t.Errorf("staged %d tables, want all %d", len(out), len(normaliseTables()))
			}
			checkGolden(t, filepath.Join(dir, "golden"), out)
			check(t, rowsOf(t, out), sum)

			// Contacts are personal data: no person's name reaches the output.
			for table, b := range out {
				for _, name := range []string{"Smithson", "Pendleton", "Quillfeather", "Fudgeworth", "Toothacre", "Jane", "Cornelius"} {
					if bytes.Contains(b, []byte(name)) {
						t.Errorf("%s holds the personal name %s", table, name)
					}
				}
			}
		})
	}
	for name := range caseChecks {
		if _, err := os.Stat(filepath.Join("testdata", "cases", name)); err != nil {
			t.Errorf("checks for case %s, which has no testdata: %v", name, err)
		}
	}
}

func TestManifestCarriesProvenance(t *testing.T) {
	root := t.TempDir()
	writeArchive(t, root, filepath.Join("testdata", "cases", "full_location_and_provider", "records.json"))
	sum, err := Run(context.Background(), Options{Root: root, SnapshotDate: snapshot, RunID: "run-7", APIBase: "http://127.0.0.1:9999/public/v1"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := staging.Open(root, Stage)
	if err != nil {
		t.Fatal(err)
	}
	if m.RunID != "run-7" || m.Meta["source"] != "CQC Syndication API v1, http://127.0.0.1:9999/public/v1" ||
		m.Meta["licence"] != Licence || m.Meta["extraction_time_from"] != "2026-11-21T02:01:00Z" ||
		m.Meta["extraction_time_to"] != "2026-11-21T02:02:00Z" || m.Inputs["archive_segments"] != "1" {
		t.Errorf("manifest %+v %+v %+v", m.RunID, m.Meta, m.Inputs)
	}
	for _, p := range m.Partitions {
		if p.Path != p.Table+"/snapshot_date="+snapshot {
			t.Errorf("partition path %s", p.Path)
		}
	}
	if sum.Rows["cqc/locations"] != 1 || sum.Rows["cqc/providers"] != 1 || sum.Rows["cqc/rejects"] != 0 {
		t.Errorf("summary rows %v", sum.Rows)
	}
}

func TestEmptyArchiveIsAnError(t *testing.T) {
	root := t.TempDir()
	_, err := Run(context.Background(), Options{Root: root})
	if !errors.Is(err, ErrNoBodies) || !strings.Contains(err.Error(), "carelake extract") {
		t.Fatalf("err = %v", err)
	}
	if _, err := staging.Open(root, Stage); !errors.Is(err, staging.ErrNotStaged) {
		t.Fatalf("nothing may be staged: %v", err)
	}
}

func TestBadSnapshotDate(t *testing.T) {
	_, err := Run(context.Background(), Options{Root: t.TempDir(), SnapshotDate: "21/11/2026"})
	if !errors.Is(err, ErrSnapshotDate) {
		t.Fatalf("err = %v", err)
	}
}

// A cancelled run commits nothing: the previous output stays.
func TestCancelKeepsPreviousOutput(t *testing.T) {
	root := t.TempDir()
	writeArchive(t, root, filepath.Join("testdata", "cases", "archive_noise", "records.json"))
	if _, err := Run(context.Background(), Options{Root: root, SnapshotDate: "2026-11-20", RunID: "first"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Root: root, SnapshotDate: snapshot, RunID: "second"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	m, err := staging.Open(root, Stage)
	if err != nil || m.RunID != "first" {
		t.Fatalf("previous output not intact: %+v %v", m, err)
	}
	left, _ := filepath.Glob(filepath.Join(root, "staging", ".normalise-cqc.tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary output left behind: %v", left)
	}
}

// A segment left open by a crashed extract is repaired and read; its torn
// tail is skipped.
func TestReadsRepairedOpenSegment(t *testing.T) {
	root := t.TempDir()
	writeArchive(t, root, filepath.Join("testdata", "cases", "dental_no_ratings", "records.json"))
	segs, _ := archive.Segments(root)
	open := strings.TrimSuffix(segs[0], ".jsonl.zst") + ".jsonl.zst.open"
	b, _ := os.ReadFile(segs[0])
	// A crash mid-frame: the sealed data plus half a frame, under the open name.
	if err := os.WriteFile(open, append(b, b[:len(b)/2]...), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(segs[0])
	sum, err := Run(context.Background(), Options{Root: root, SnapshotDate: snapshot})
	if err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(t, dumpNormalised(t, root))
	loc := one(t, rows["locations"], "location_id", "1-10223702130")
	if !strings.HasSuffix(loc["archive_segment"].(string), ".jsonl.zst") {
		t.Errorf("pointer to an unsealed segment: %v", loc["archive_segment"])
	}
	if sum.Locations != 1 {
		t.Errorf("summary %+v", sum)
	}
}

func TestRatingCategory(t *testing.T) {
	for rating, want := range map[string]string{
		"Outstanding": "outstanding", "Good": "good", "Requires improvement": "requires_improvement",
		"Requires Improvement": "requires_improvement", "Inadequate": "inadequate",
		"Inspected but not rated": "inspected_but_not_rated", "No published rating": "no_published_rating",
		"No Published Rating": "no_published_rating", "Insufficient evidence to rate": "insufficient_evidence_to_rate",
		" good ": "good", "Not Yet Inspected": "unknown", "Not rated": "unknown", "": "unknown", "Goodish": "unknown",
	} {
		if got := ratingCategory(rating); got != want {
			t.Errorf("ratingCategory(%q) = %s, want %s", rating, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for s, want := range map[string]string{
		"2022-07-15": "2022-07-15", "1970-01-01": "1970-01-01", "1969-12-31": "1969-12-31", "2024-02-29": "2024-02-29",
		"2024-01-01 00:00:00": "2024-01-01", "2026-09-17T09:30:00": "2026-09-17", "2026-09-17T23:30:00+01:00": "2026-09-17",
		"2026-09-17T09:30:00.123Z": "2026-09-17", "2024-01-01 00:00:00.5": "2024-01-01",
		"2023-02-29": "", "2021-13-01": "", "10/10/2020": "", "": "", "2022-7-15": "", "2022-07-15X": "", "２０２２-07-15": "",
	} {
		d, ok := parseDate(s)
		got := ""
		if ok {
			got = d.FormattedString()
		}
		if got != want {
			t.Errorf("parseDate(%q) = %q, want %q", s, got, want)
		}
	}
}

// The history table is a timeline: within a location, parent and name, the
// periods never overlap and exactly the in-effect rating is open-ended; a
// deregistered location has none open-ended.
func TestHistoryPeriodsDoNotOverlap(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "cases", "*", "golden", "location_rating_history.jsonl"))
	if len(dirs) == 0 {
		t.Fatal("no golden history")
	}
	for _, f := range dirs {
		b, _ := os.ReadFile(f)
		locs, _ := os.ReadFile(filepath.Join(filepath.Dir(f), "locations.jsonl"))
		deregistered := map[any]bool{}
		for _, l := range rowsOf(t, map[string][]byte{"l": locs})["l"] {
			deregistered[l["location_id"]] = l["registration_status"] == "Deregistered"
		}
		rows := rowsOf(t, map[string][]byte{"h": b})["h"]
		groups := map[string][]row{}
		for _, r := range rows {
			k, _ := json.Marshal([]any{r["location_id"], r["parent_name"], r["name"]})
			groups[string(k)] = append(groups[string(k)], r)
		}
		for k, g := range groups {
			open := 0
			for _, r := range g {
				if r["valid_to"] == nil {
					open++
				}
				if r["valid_to"] != nil && r["valid_from"] != nil && r["valid_to"].(string) < r["valid_from"].(string) {
					t.Errorf("%s: %s ends before it starts: %v", f, k, r)
				}
			}
			want := 1
			if deregistered[g[0]["location_id"]] {
				want = 0
			}
			if open != want {
				t.Errorf("%s: %s has %d open-ended periods", f, k, open)
			}
			froms := []string{}
			for _, r := range g {
				if s, ok := r["valid_from"].(string); ok {
					froms = append(froms, s)
				}
			}
			if !slices.IsSortedFunc(froms, func(a, b string) int { return strings.Compare(b, a) }) {
				t.Errorf("%s: %s not newest first: %v", f, k, froms)
			}
		}
	}
}
