package receiver

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carelake/data"
)

func TestConfigValidation(t *testing.T) {
	const tok = "0123456789abcdef0123456789abcdef"
	const sec = "signing-secret-0123456789"
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings of the error; none = valid
	}{
		{"valid", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"]}]`, nil},
		{"empty file", ``, []string{"empty file"}},
		{"no clinics", `clinics: []`, []string{"no clinic configured"}},
		{"unknown key", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secret: ["` + sec + `"]}]`,
			[]string{`unknown key "signing_secret" in a clinic (data/careq/serve.example.yaml lists the keys)`}},
		{"unknown top-level key", "clinic: []\nclinics: []", []string{`unknown key "clinic" at the top level`}},
		{"empty clinic id", `clinics: [{tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"]}]`, []string{"clinic #1: clinic_id is empty"}},
		{"bad clinic id", `clinics: [{clinic_id: "a/b", tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"]}]`, []string{"clinic a/b: clinic_id must be"}},
		{"reserved clinic id", `clinics: [{clinic_id: unauthenticated, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"]}]`, []string{`clinic unauthenticated: clinic_id "unauthenticated" is reserved`}},
		{"duplicate clinic", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"]}, {clinic_id: a, tokens: ["x` + tok + `"], signing_secrets: ["` + sec + `"]}]`,
			[]string{"clinic a: clinic_id is also used by clinic #1"}},
		{"short token", `clinics: [{clinic_id: a, tokens: ["short-token"], signing_secrets: ["` + sec + `"]}]`, []string{"clinic a: tokens[0] is 11 characters: use at least 32"}},
		{"no tokens", `clinics: [{clinic_id: a, signing_secrets: ["` + sec + `"]}]`, []string{"clinic a: tokens is empty"}},
		{"token with space", `clinics: [{clinic_id: a, tokens: ["0123456789abcdef 0123456789abcdef"], signing_secrets: ["` + sec + `"]}]`, []string{"tokens[0] contains white space"}},
		{"token shared", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"]}, {clinic_id: b, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"]}]`,
			[]string{"clinic b: tokens[0] is also a token of clinic a"}},
		{"no secret", `clinics: [{clinic_id: a, tokens: ["` + tok + `"]}]`, []string{"clinic a: signing_secrets is empty", "signed_payload: none"}},
		{"short secret", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secrets: ["tiny"]}]`, []string{"clinic a: signing_secrets[0] is 4 characters: use at least 24"}},
		{"none with secret", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"], signed_payload: none}]`, []string{"signed_payload is none but signing_secrets is set"}},
		{"explicit none", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signed_payload: none}]`, nil},
		{"bad mode", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"], signed_payload: sha1}]`, []string{`clinic a: signed_payload "sha1"`}},
		{"short api key", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"], api_key: "k"}]`, []string{"clinic a: api_key is 1 characters: use at least 16"}},
		{"short webhook secret", `clinics: [{clinic_id: a, tokens: ["` + tok + `"], signing_secrets: ["` + sec + `"], webhook_secret: "w"}]`, []string{"clinic a: webhook_secret"}},
		{"several problems at once", `clinics: [{clinic_id: a, tokens: ["x"]}, {clinic_id: b, tokens: ["y"], signing_secrets: ["` + sec + `"]}]`,
			[]string{"clinic a: tokens[0]", "clinic a: signing_secrets is empty", "clinic b: tokens[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.yaml))
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.Clinics[0].SignedPayload == "" {
					t.Fatal("signed_payload not defaulted")
				}
				return
			}
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err %v is not ErrConfig", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// Never echo a secret.
			for _, s := range []string{tok, sec, "short-token", "tiny"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error shows a secret: %q", err)
				}
			}
		})
	}
}

func TestLoadConfigPermissions(t *testing.T) {
	example, err := fs.ReadFile(data.CareQ, "careq/serve.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "serve.yaml")
	os.WriteFile(p, example, 0o644)
	os.Chmod(p, 0o644)
	_, err = LoadConfig(p)
	if !errors.Is(err, ErrConfigPermissions) || !strings.Contains(err.Error(), "chmod 600 "+p) {
		t.Fatalf("0644 config: %v", err)
	}
	os.Chmod(p, 0o640)
	if _, err := LoadConfig(p); !errors.Is(err, ErrConfigPermissions) {
		t.Fatalf("0640 config: %v", err)
	}
	os.Chmod(p, 0o600)
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Clinics) != 4 || cfg.Clinics[1].SignedPayload != SignedTimestampBody || len(cfg.Clinics[2].Tokens) != 2 {
		t.Fatalf("example config: %+v", cfg.Clinics)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, ErrConfig) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := LoadConfig(t.TempDir()); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("a directory: %v", err)
	}
}

func TestPIIKeyFromEnv(t *testing.T) {
	t.Setenv(PIIKeyEnv, "")
	if _, err := PIIKeyFromEnv(); !errors.Is(err, ErrPIIKey) || !strings.Contains(err.Error(), "openssl rand") {
		t.Fatalf("%v", err)
	}
	t.Setenv(PIIKeyEnv, strings.Repeat("k", 31))
	if _, err := PIIKeyFromEnv(); !errors.Is(err, ErrPIIKey) {
		t.Fatal("31 bytes accepted")
	}
	t.Setenv(PIIKeyEnv, strings.Repeat("k", 32))
	if k, err := PIIKeyFromEnv(); err != nil || len(k) != 32 {
		t.Fatal(err)
	}
}
