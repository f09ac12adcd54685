// Package data embeds the inputs of the demo, so the binary carries them:
// the CQC simulator's hard-case fixtures (cqc/), sample CareQ deliveries
// with an example serve configuration (careq/), and the clinic mapping
// (clinics.csv) joining the two. Each subdirectory has a README.md saying
// what is there.
package data

import "embed"

// CQCFixtures holds cqc/: cqc/fixtures/locations/*.json and
// cqc/fixtures/providers/*.json (detail bodies for cqcsim.Config.Fixtures,
// e.g. via fs.Sub(CQCFixtures, "cqc/fixtures")) and cqc/README.md.
//
//go:embed cqc
var CQCFixtures embed.FS

// CareQ holds careq/: careq/serve.example.yaml (an example serve
// configuration with public, fake secrets) and careq/deliveries/*.json
// (sample CareQ calls, the specification's own examples first; load them
// with careqreplay.LoadDeliveries(fs.Sub(CareQ, "careq/deliveries"))).
//
//go:embed careq
var CareQ embed.FS

// ClinicsCSV is clinics.csv: the demo's clinic mapping
// (clinic_id,cqc_location_id,name), putting each sample clinic of careq/ at
// a hard case of cqc/fixtures (see data/cqc/README.md).
//
//go:embed clinics.csv
var ClinicsCSV []byte
