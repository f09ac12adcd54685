// Package data embeds the inputs of the demo, so the binary carries them:
// the CQC simulator's hard-case fixtures (cqc/). Each subdirectory has a
// README.md saying what is there.
package data

import "embed"

// CQCFixtures holds cqc/: cqc/fixtures/locations/*.json and
// cqc/fixtures/providers/*.json (detail bodies for cqcsim.Config.Fixtures,
// e.g. via fs.Sub(CQCFixtures, "cqc/fixtures")) and cqc/README.md.
//
//go:embed cqc
var CQCFixtures embed.FS
