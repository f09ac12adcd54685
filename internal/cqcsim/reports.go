package cqcsim

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"time"
)

// Reports: GET /reports/{linkId} answers a small but valid PDF, or its text
// extract when the client asks for text/plain (some reports have no text:
// they answer the PDF whatever the Accept header says). The query string
// (?YYYYMMDDhhmmss) is ignored. /reports/{linkId}/Use%20of%20Resources is the
// related document of NHS trust reports.

type reportInfo struct {
	orgName, orgID, address          string
	date, firstVisit, overall, rtype string
	keyQuestions                     [][2]string
	documents                        []string
	noText                           bool
}

func (s *Sim) report(link, doc, accept string, c int64) response {
	info, ok := s.reportInfo(link, c)
	if !ok {
		return apiError(http.StatusNotFound, "No report found with ID '%s'", link)
	}
	title := "Inspection report"
	if doc != "" {
		found := false
		for _, d := range info.documents {
			found = found || d == doc
		}
		if !found {
			return apiError(http.StatusNotFound, "No document '%s' for report '%s'", doc, link)
		}
		title = doc
	}
	lines := []string{"Care Quality Commission", info.orgName}
	if info.address != "" {
		lines = append(lines, info.address)
	}
	lines = append(lines, title, "Report ID: "+link, "Provider or location ID: "+info.orgID)
	if info.firstVisit != "" {
		lines = append(lines, "Date of inspection visit: "+longDate(info.firstVisit))
	}
	lines = append(lines, "Date of publication: "+longDate(info.date))
	if info.overall != "" {
		lines = append(lines, "", "Overall rating for this service: "+info.overall)
		for _, kq := range info.keyQuestions {
			lines = append(lines, "Is the service "+strings.ToLower(kq[0])+"? "+kq[1])
		}
		if doc == "" && len(info.keyQuestions) > 0 {
			lines = append(lines, "", "Our findings")
			for _, kq := range info.keyQuestions {
				if f := finding(link, kq[0], kq[1]); f != "" {
					lines = append(lines, kq[0]+": "+f)
				}
			}
		}
	}
	if info.rtype != "" {
		lines = append(lines, "Report type: "+info.rtype)
	}
	if strings.Contains(accept, "text/plain") && !info.noText {
		return response{status: http.StatusOK, ctype: "text/plain; charset=utf-8", body: []byte(strings.Join(lines, "\n") + "\n")}
	}
	return response{status: http.StatusOK, ctype: "application/pdf", body: pdf(lines)}
}

// findingBank holds, per key question, what inspectors write when it is
// rated well ([0]) and when it is not ([1]).
var findingBank = map[string][2][]string{
	"Safe": {{"Staff stored and gave medicines safely and recorded each dose.",
		"People were protected from avoidable harm and abuse.",
		"There were enough suitably trained staff on every shift we looked at."},
		{"Medicines were not always managed safely: records of doses were incomplete.",
			"Risks to people's safety were not always assessed or acted on.",
			"There were not always enough staff to meet people's needs at night."}},
	"Effective": {{"People's needs were assessed before they used the service and care followed current guidance.",
		"Staff had the training and supervision they needed.",
		"People were supported to eat and drink enough and to see health professionals when needed."},
		{"Staff training was out of date and supervision was irregular.",
			"Consent to care was not always sought in line with the law.",
			"People's nutrition and hydration were not always monitored."}},
	"Caring": {{"Staff treated people with kindness, respect and compassion.",
		"People were involved in decisions about their care.",
		"Relatives told us staff knew their family member well."},
		{"People's privacy and dignity were not always respected.",
			"Some staff spoke about people in a way that did not respect them.",
			"People were not always involved in planning their care."}},
	"Responsive": {{"Care plans were personalised and reviewed regularly.",
		"Complaints were listened to and acted on.",
		"People could take part in activities that mattered to them."},
		{"Care plans did not reflect people's current needs.",
			"Complaints were not always recorded or responded to.",
			"People waited too long for appointments."}},
	"Well-led": {{"The registered manager led an open, inclusive culture.",
		"Audits found problems and the provider acted on them.",
		"Staff felt supported and listened to by leaders."},
		{"Quality checks did not find the shortfalls we found.",
			"The provider had not notified us of incidents as the law requires.",
			"Leaders had not acted on feedback from people and staff."}},
}

// finding is one deterministic sentence on a key question's rating, or ""
// for ratings that say nothing (not rated, unknown questions).
func finding(link, question, rating string) string {
	bank, ok := findingBank[question]
	if !ok {
		return ""
	}
	var pick []string
	switch rating {
	case "Outstanding", "Good":
		pick = bank[0]
	case "Requires improvement", "Inadequate":
		pick = bank[1]
	default:
		return ""
	}
	h := fnv.New64a()
	h.Write([]byte(link + "/" + question))
	return pick[h.Sum64()%uint64(len(pick))]
}

func longDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

func (s *Sim) reportInfo(link string, c int64) (reportInfo, bool) {
	w := s.w
	if fr, ok := w.fixReports[link]; ok {
		return reportInfo{orgName: fr.orgName, orgID: fr.orgID, date: fr.date, firstVisit: fr.firstVisit,
			overall: fr.overall, keyQuestions: fr.keyQuestions, documents: fr.documents}, true
	}
	kind, idx, rep, ok := w.parseLinkID(link)
	if !ok {
		return reportInfo{}, false
	}
	var rp *report
	var info reportInfo
	switch kind {
	case linkLoc:
		if int(idx) >= len(w.locs) || !w.locVisible(idx, c) || w.locs[idx].fix != nil || rep >= len(w.locs[idx].reports) {
			return reportInfo{}, false
		}
		l := &w.locs[idx]
		rp = &l.reports[rep]
		a := makeAddress(l.addrSeed, &places[l.place])
		info = reportInfo{orgName: w.locName(l), orgID: l.id, address: a.line1 + ", " + a.town + ", " + a.postcode}
		if rp.flags&repNoType == 0 {
			info.rtype = "Location"
		}
	case linkProv:
		if int(idx) >= len(w.provs) || !w.provVisible(idx, c) || w.provs[idx].fix != nil || rep >= len(w.provs[idx].reports) {
			return reportInfo{}, false
		}
		p := &w.provs[idx]
		rp = &p.reports[rep]
		a := makeAddress(p.seed, &places[p.place])
		info = reportInfo{orgName: w.provName(p), orgID: p.id, address: a.line1 + ", " + a.town + ", " + a.postcode,
			rtype: "Provider", documents: []string{"Use of Resources"}}
	default:
		return reportInfo{}, false
	}
	if rp.at >= c {
		return reportInfo{}, false
	}
	info.date, info.firstVisit = dateOf(rp.at), dateOf(firstVisit(rp))
	info.overall = ratingNames[rp.overall]
	for k, name := range keyQuestions {
		if rp.kq[k] != rNone {
			info.keyQuestions = append(info.keyQuestions, [2]string{name, ratingNames[rp.kq[k]]})
		}
	}
	info.noText = rp.flags&repNoText != 0
	return info, true
}

// pdf renders lines of text as a one-page PDF 1.4 document.
func pdf(lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 11 Tf 56 790 Td 15 TL\n")
	for _, l := range lines {
		content.WriteString("(" + pdfText(l) + ") Tj T*\n")
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pdfText escapes a string for a PDF literal; the standard font has no
// glyphs beyond ASCII here, so other characters become '?'.
func pdfText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == '(' || r == ')':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
