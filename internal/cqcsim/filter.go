package cqcsim

import "slices"

// List filters, evaluated per organisation at a data clock on the same
// state the detail body is rendered from, so a filter matches exactly when
// the body shows the value.

// matches reports whether an organisation passes every filter: different
// filters AND, the values of one filter (a repeated parameter) OR.
func matches(fs []filter, has func(name, v string) bool) bool {
	for _, f := range fs {
		if !slices.ContainsFunc(f.values, func(v string) bool { return has(f.name, v) }) {
			return false
		}
	}
	return true
}

func (w *world) locHas(i int32, c int64, name, v string) bool {
	l := &w.locs[i]
	if l.fix != nil {
		return slices.Contains(l.fix.facets[name], v)
	}
	pl := &places[l.place]
	k := &kinds[l.kind]
	switch name {
	case "region":
		return pl.region == v
	case "localAuthority":
		return pl.localAuthority == v
	case "constituency":
		return constituency(l.addrSeed, pl) == v
	case "careHome":
		return k.careHome == v
	case "inspectionDirectorate":
		return k.directorate == v
	case "primaryInspectionCategoryCode":
		return k.category[0] == v
	case "overallRating":
		r := w.currentOverall(i, c)
		return r != rNone && l.flags&locSAF == 0 && ratingNames[r] == v
	case "regulatedActivity":
		if l.deregisteredAt(c) {
			return false
		}
		return hasBit(l.ras, v, func(a int) string { return activities[a].name }, len(activities))
	case "gacServiceTypeDescription":
		return hasBit(l.gac, v, func(g int) string { return gacTypes[g].description }, len(gacTypes))
	}
	return false
}

func hasBit(bits uint16, v string, name func(int) string, n int) bool {
	for b := 0; b < n; b++ {
		if bits&(1<<b) != 0 && name(b) == v {
			return true
		}
	}
	return false
}

func (w *world) provMatches(p int32, c int64, fs []filter) bool {
	return matches(fs, func(name, v string) bool { return w.provHas(p, c, name, v) })
}

func (w *world) provHas(p int32, c int64, name, v string) bool {
	pr := &w.provs[p]
	if pr.fix != nil {
		return slices.Contains(pr.fix.facets[name], v)
	}
	pl := &places[pr.place]
	k := &kinds[providerMainKind[pr.pkind]]
	switch name {
	case "region":
		return pl.region == v
	case "localAuthority":
		return pl.localAuthority == v
	case "constituency":
		return constituency(pr.seed, pl) == v
	case "inspectionDirectorate":
		return k.directorate == v
	case "primaryInspectionCategoryCode":
		return k.category[0] == v
	case "overallRating":
		for r := len(pr.reports) - 1; r >= 0; r-- {
			if pr.reports[r].at < c {
				return ratingNames[pr.reports[r].overall] == v
			}
		}
		return false
	case "regulatedActivity":
		if pr.deregAt != 0 && pr.deregAt < c {
			return false
		}
		var ras uint16
		for _, i := range pr.locs {
			if w.locs[i].regAt < c {
				ras |= w.locs[i].ras
			}
		}
		return hasBit(ras, v, func(a int) string { return activities[a].name }, len(activities))
	}
	return false
}

// locSummary is the thin list item's name and postcode.
func (w *world) locSummary(i int32) (name, postcode string) {
	l := &w.locs[i]
	if l.fix != nil {
		return l.fix.name, l.fix.postcode
	}
	return w.locName(l), makeAddress(l.addrSeed, &places[l.place]).postcode
}

func (w *world) provSummaryName(p int32) string {
	pr := &w.provs[p]
	if pr.fix != nil {
		return pr.fix.name
	}
	return w.provName(pr)
}
