package main

import (
	"testing"

	"carelake/stages/catalog"
)

// The live case of location 1-10324127390 (fixture 1-1500000211, extracted
// from the simulator over loopback HTTP): the key questions name a
// predecessor the API answers 404 for, the overall rating names none and
// has the same report link, and the location has no reports. The overall
// rating is the predecessor's, unresolved for that reason, as its key
// questions are; it is not shown as the location's own.
func TestInheritedOverallWithThePredecessorUnavailable(t *testing.T) {
	db, err := catalog.Open(martWarehouses(t)["demo"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT kind, name, inherited, inherited_inferred, source_resolved, coalesce(unresolved_reason, '')
		FROM cqc_location_ratings WHERE location_id = '1-1500000211' AND kind IN ('overall', 'key_question') ORDER BY kind, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var kind, name, reason string
		var inherited, inferred, resolved bool
		if err := rows.Scan(&kind, &name, &inherited, &inferred, &resolved, &reason); err != nil {
			t.Fatal(err)
		}
		n++
		if !inherited || resolved || reason != "organisation_not_archived" || inferred != (kind == "overall") {
			t.Errorf("%s %s: inherited %v (inferred %v), resolved %v, reason %q", kind, name, inherited, inferred, resolved, reason)
		}
	}
	if n != 6 {
		t.Fatalf("%d ratings of 1-1500000211, want the overall and five key questions", n)
	}
	var overallInherited bool
	if err := db.QueryRow(`SELECT overall_rating_inherited FROM cqc_locations WHERE location_id = '1-1500000211'`).Scan(&overallInherited); err != nil || !overallInherited {
		t.Errorf("cqc_locations.overall_rating_inherited %v (%v)", overallInherited, err)
	}
}
