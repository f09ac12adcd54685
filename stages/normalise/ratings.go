package normalise

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	"carelake/schemas/batch"
)

// Rating kinds (column kind of the rating tables).
const (
	kindOverall                 = "overall"
	kindKeyQuestion             = "key_question"
	kindService                 = "service"
	kindServiceKeyQuestion      = "service_key_question"
	kindUseOfResources          = "use_of_resources"
	kindCombinedQuality         = "combined_quality"
	kindAssessmentOverall       = "assessment_overall"
	kindAssessmentKeyQuestion   = "assessment_key_question"
	kindAssessmentGroup         = "assessment_group"
	kindAssessmentGroupQuestion = "assessment_group_key_question"

	nameOverall         = "Overall"
	nameUseOfResources  = "Use of resources"
	nameCombinedQuality = "Combined quality and use of resources"

	frameworkLegacy = "legacy"
	frameworkSAF    = "saf"

	sourceCurrent    = "currentRatings"
	sourceHistoric   = "historicRatings"
	sourceAssessment = "assessment"
)

// ratingCategories classify the rating vocabulary (docs/architecture.md,
// "CQC API: vocabularies"). Matching ignores case and surrounding space, so
// the SAF "Requires Improvement" and "No Published Rating" land with their
// legacy spellings.
var ratingCategories = []struct{ rating, category string }{
	{"Outstanding", "outstanding"},
	{"Good", "good"},
	{"Requires improvement", "requires_improvement"},
	{"Inadequate", "inadequate"},
	{"Inspected but not rated", "inspected_but_not_rated"},
	{"No published rating", "no_published_rating"},
	{"Insufficient evidence to rate", "insufficient_evidence_to_rate"},
}

// ratingCategory classifies a rating string; anything unknown is "unknown"
// (the string itself is kept verbatim in the rating column).
func ratingCategory(r string) string {
	for _, c := range ratingCategories {
		if r == c.rating {
			return c.category
		}
	}
	r = strings.TrimSpace(r)
	for _, c := range ratingCategories {
		if strings.EqualFold(r, c.rating) {
			return c.category
		}
	}
	return "unknown"
}

// ratingRow is one rating of one organisation, before it becomes a row of
// the current ratings table and/or the history table.
type ratingRow struct {
	kind, parent, name, rating string
	date                       arrow.Date32
	hasDate                    bool
	link, org                  string // "" is NULL
	framework, source          string
	status, planID             string
	pct                        float64
	hasPct                     bool
	current                    bool // listed as current (currentRatings or assessment)

	inEffect   bool
	validTo    arrow.Date32
	hasValidTo bool
}

// rank orders equal report dates: an assessment wins a tie with a legacy rating.
func (r *ratingRow) rank() int {
	if r.framework == frameworkSAF {
		return 1
	}
	return 0
}

// newer reports whether a is newer than b (NULL dates are oldest).
func newer(a, b *ratingRow) bool {
	if a.hasDate != b.hasDate {
		return a.hasDate
	}
	if a.date != b.date {
		return a.date > b.date
	}
	return a.rank() > b.rank()
}

func sameGroup(a, b *ratingRow) bool { return a.parent == b.parent && a.name == b.name }

// ratingSet collects the ratings of one body; its slices are reused.
type ratingSet struct {
	cur  []ratingRow // currentRatings and assessment, body order
	hist []ratingRow // timeline: cur plus historicRatings
}

// inherit fills what a nested rating leaves out from the rating it belongs
// to: date and report link, and the organisation when it names the same
// report (the same report belongs to the same organisation).
func inherit(r *ratingRow, parent *ratingRow, date *string, link *string, org *string, e *emitter, path string) {
	if date != nil && *date != "" {
		r.date, r.hasDate = e.parseDate(path+".reportDate", *date)
	} else {
		r.date, r.hasDate = parent.date, parent.hasDate
	}
	r.link = parent.link
	if link != nil && *link != "" {
		r.link = *link
	}
	switch {
	case org != nil && *org != "":
		r.org = *org
	case r.link == parent.link:
		r.org = parent.org
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// collect gathers every rating of a body into rs and works out which ratings
// are in effect and the validity period of each.
func (e *emitter) collect(rs *ratingSet, cr *schemas.CurrentRatings, hist []schemas.HistoricRating, assess []schemas.Assessment) {
	rs.cur, rs.hist = rs.cur[:0], rs.hist[:0]
	if cr != nil {
		e.collectCurrent(rs, cr)
	}
	for i := range assess {
		e.collectAssessment(rs, &assess[i])
	}
	markInEffect(rs.cur)

	rs.hist = append(rs.hist, rs.cur...)
	nCur := len(rs.hist)
	for i := range hist {
		e.collectHistoric(rs, &hist[i])
	}
	// A historic entry repeating a current rating's report is the same rating.
	rs.hist = slices.DeleteFunc(rs.hist, func(r ratingRow) bool {
		if r.source != sourceHistoric {
			return false
		}
		for j := 0; j < nCur; j++ {
			c := &rs.hist[j]
			if c.framework == r.framework && c.link == r.link && sameGroup(c, &r) {
				return true
			}
		}
		return false
	})
	slices.SortStableFunc(rs.hist, func(a, b ratingRow) int {
		if c := cmp.Compare(a.parent, b.parent); c != 0 {
			return c
		}
		if c := cmp.Compare(a.name, b.name); c != 0 {
			return c
		}
		switch {
		case newer(&a, &b):
			return -1
		case newer(&b, &a):
			return 1
		}
		return 0
	})
	for i := range rs.hist {
		r := &rs.hist[i]
		r.validTo, r.hasValidTo = 0, false
		first := i == 0 || !sameGroup(&rs.hist[i-1], r)
		if !first {
			r.validTo, r.hasValidTo = rs.hist[i-1].date, rs.hist[i-1].hasDate
		}
		r.inEffect = first && r.current
	}
}

func (e *emitter) collectCurrent(rs *ratingSet, cr *schemas.CurrentRatings) {
	top := ratingRow{framework: frameworkLegacy, source: sourceCurrent, current: true}
	if cr.ReportDate != nil && *cr.ReportDate != "" {
		top.date, top.hasDate = e.parseDate("currentRatings.reportDate", *cr.ReportDate)
	}
	if o := cr.Overall; o != nil {
		ov := top
		ov.kind, ov.name, ov.rating = kindOverall, nameOverall, o.Rating
		inherit(&ov, &top, &o.ReportDate, &o.ReportLinkID, o.OrganisationID, e, "currentRatings.overall")
		rs.cur = append(rs.cur, ov)
		for _, kq := range o.KeyQuestionRatings {
			r := ov
			r.kind, r.name, r.rating = kindKeyQuestion, kq.Name, kq.Rating
			inherit(&r, &ov, kq.ReportDate, kq.ReportLinkID, kq.OrganisationID, e, "currentRatings.overall.keyQuestionRatings[]")
			rs.cur = append(rs.cur, r)
		}
		rs.cur = e.useOfResources(rs.cur, &ov, o.UseOfResources, "currentRatings.overall.useOfResources")
	}
	for _, s := range cr.ServiceRatings {
		rs.cur = e.service(rs.cur, &top, &s, "currentRatings.serviceRatings[]")
	}
}

func (e *emitter) useOfResources(out []ratingRow, ov *ratingRow, u *schemas.UseOfResources, path string) []ratingRow {
	if u == nil {
		return out
	}
	for _, x := range []struct {
		kind, name string
		rating     *string
	}{{kindUseOfResources, nameUseOfResources, u.UseOfResourcesRating}, {kindCombinedQuality, nameCombinedQuality, u.CombinedQualityRating}} {
		if x.rating == nil {
			continue
		}
		r := *ov
		r.kind, r.name, r.rating = x.kind, x.name, *x.rating
		inherit(&r, ov, u.ReportDate, u.ReportLinkID, u.OrganisationID, e, path)
		out = append(out, r)
	}
	return out
}

func (e *emitter) service(out []ratingRow, top *ratingRow, s *schemas.ServiceRating, path string) []ratingRow {
	sr := *top
	sr.kind, sr.name, sr.rating = kindService, s.Name, s.Rating
	inherit(&sr, top, s.ReportDate, s.ReportLinkID, s.OrganisationID, e, path)
	out = append(out, sr)
	for _, kq := range s.KeyQuestionRatings {
		r := sr
		r.kind, r.parent, r.name, r.rating = kindServiceKeyQuestion, s.Name, kq.Name, kq.Rating
		inherit(&r, &sr, kq.ReportDate, kq.ReportLinkID, kq.OrganisationID, e, path+".keyQuestionRatings[]")
		out = append(out, r)
	}
	return out
}

func (e *emitter) collectHistoric(rs *ratingSet, h *schemas.HistoricRating) {
	top := ratingRow{framework: frameworkLegacy, source: sourceHistoric, link: h.ReportLinkID, org: deref(h.OrganisationID)}
	if h.ReportDate != "" {
		top.date, top.hasDate = e.parseDate("historicRatings[].reportDate", h.ReportDate)
	}
	if o := h.Overall; o != nil {
		ov := top
		ov.kind, ov.name, ov.rating = kindOverall, nameOverall, o.Rating
		rs.hist = append(rs.hist, ov)
		for _, kq := range o.KeyQuestionRatings {
			r := ov
			r.kind, r.name, r.rating = kindKeyQuestion, kq.Name, kq.Rating
			inherit(&r, &ov, kq.ReportDate, kq.ReportLinkID, kq.OrganisationID, e, "historicRatings[].overall.keyQuestionRatings[]")
			rs.hist = append(rs.hist, r)
		}
		rs.hist = e.useOfResources(rs.hist, &ov, o.UseOfResources, "historicRatings[].overall.useOfResources")
	}
	for _, s := range h.ServiceRatings {
		rs.hist = e.service(rs.hist, &top, &s, "historicRatings[].serviceRatings[]")
	}
}

func (e *emitter) collectAssessment(rs *ratingSet, a *schemas.Assessment) {
	top := ratingRow{framework: frameworkSAF, source: sourceAssessment, current: true}
	if a.AssessmentPlanPublishedDateTime != nil && *a.AssessmentPlanPublishedDateTime != "" {
		top.date, top.hasDate = e.parseDate("assessment[].assessmentPlanPublishedDateTime", *a.AssessmentPlanPublishedDateTime)
	}
	if a.Ratings == nil {
		return
	}
	for _, o := range a.Ratings.Overall {
		ov := top
		ov.kind, ov.name, ov.rating, ov.status = kindAssessmentOverall, nameOverall, o.Rating, o.Status
		rs.cur = append(rs.cur, ov)
		for _, kq := range o.KeyQuestionRatings {
			rs.cur = append(rs.cur, e.assessmentQuestion(&ov, kindAssessmentKeyQuestion, "", &kq, "assessment[].ratings.overall[].keyQuestionRatings[]"))
		}
	}
	for _, g := range a.Ratings.AsgRatings {
		gr := top
		gr.kind, gr.name, gr.rating, gr.status, gr.planID = kindAssessmentGroup, g.Name, g.Rating, g.Status, g.AssessmentPlanID
		if g.AssessmentDate != "" {
			gr.date, gr.hasDate = e.parseDate("assessment[].ratings.asgRatings[].assessmentDate", g.AssessmentDate)
		}
		rs.cur = append(rs.cur, gr)
		for _, kq := range g.KeyQuestionRatings {
			rs.cur = append(rs.cur, e.assessmentQuestion(&gr, kindAssessmentGroupQuestion, g.Name, &kq, "assessment[].ratings.asgRatings[].keyQuestionRatings[]"))
		}
	}
}

func (e *emitter) assessmentQuestion(parent *ratingRow, kind, parentName string, kq *schemas.AssessmentKeyQuestion, path string) ratingRow {
	r := *parent
	r.kind, r.parent, r.name, r.rating, r.status, r.planID = kind, parentName, kq.Name, kq.Rating, kq.Status, ""
	if kq.PercentageScore != nil && *kq.PercentageScore != "" {
		s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(*kq.PercentageScore), "%"))
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			e.fieldReject(path+".percentageScore", "not a number: "+strconv.Quote(*kq.PercentageScore))
		} else {
			r.pct, r.hasPct = v, true
		}
	}
	return r
}

// endAtDeregistration ends the ratings of a deregistered organisation at its
// deregistration date: none is in effect any more, and each validity period
// ends on that date (exclusive) at the latest. status and date are the
// body's registrationStatus and deregistrationDate; a registered body, or
// one without a usable date, is left as it is.
func endAtDeregistration(rs *ratingSet, status, date *string) {
	if status == nil || !strings.EqualFold(strings.TrimSpace(*status), "Deregistered") || date == nil {
		return
	}
	end, ok := parseDate(*date) // a bad one is rejected where the column is written
	if !ok {
		return
	}
	for i := range rs.cur {
		rs.cur[i].inEffect = false
	}
	for i := range rs.hist {
		r := &rs.hist[i]
		r.inEffect = false
		if !r.hasValidTo || r.validTo > end {
			r.validTo, r.hasValidTo = end, true
		}
	}
}

// markInEffect flags, per parent and name, the newest current rating.
func markInEffect(cur []ratingRow) {
	for i := range cur {
		r := &cur[i]
		r.inEffect = true
		for j := range cur {
			o := &cur[j]
			if j == i || !sameGroup(r, o) {
				continue
			}
			// An equal one earlier in the body wins the tie.
			if newer(o, r) || (j < i && !newer(r, o)) {
				r.inEffect = false
				break
			}
		}
	}
}

// overallInEffect returns the overall rating in effect, if any.
func overallInEffect(cur []ratingRow) *ratingRow {
	for i := range cur {
		r := &cur[i]
		if r.inEffect && r.parent == "" && r.name == nameOverall && (r.kind == kindOverall || r.kind == kindAssessmentOverall) {
			return r
		}
	}
	return nil
}

// writeRating appends the columns every rating table shares.
func writeRating(b *batch.Builder, owner, ownerID string, r *ratingRow) {
	b.String(owner, ownerID)
	b.String("kind", r.kind)
	b.NonEmpty("parent_name", r.parent)
	b.String("name", r.name)
	b.NonEmpty("rating", r.rating)
	b.String("rating_category", ratingCategory(r.rating))
	b.Date("report_date", r.date, r.hasDate)
	b.NonEmpty("report_link_id", r.link)
	b.NonEmpty("organisation_id", r.org)
	b.Bool("inherited", r.org != "")
	b.String("framework", r.framework)
}

func (e *emitter) writeRatings(cur, hist *batch.Builder, owner, ownerID string, rs *ratingSet) error {
	for i := range rs.cur {
		r := &rs.cur[i]
		writeRating(cur, owner, ownerID, r)
		cur.NonEmpty("status", r.status)
		cur.Float64("percentage_score", r.pct, r.hasPct)
		cur.NonEmpty("assessment_plan_id", r.planID)
		cur.Bool("in_effect", r.inEffect)
		if err := cur.EndRow(); err != nil {
			return err
		}
	}
	for i := range rs.hist {
		r := &rs.hist[i]
		writeRating(hist, owner, ownerID, r)
		hist.String("source", r.source)
		hist.Date("valid_from", r.date, r.hasDate)
		hist.Date("valid_to", r.validTo, r.hasValidTo)
		hist.Bool("is_current", r.inEffect)
		if err := hist.EndRow(); err != nil {
			return err
		}
	}
	return nil
}
