package receiver

import (
	"bytes"
	"carelake/schemas"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Signed payloads a clinic can choose.
const (
	// SignedBody: the signature is HMAC-SHA256 over the raw body bytes (the
	// specification's pseudocode).
	SignedBody = "body"
	// SignedTimestampBody: over "<X-CareQ-Timestamp>.<raw body>", which binds
	// the timestamp into the MAC so a replay cannot rewrite it.
	SignedTimestampBody = "timestamp.body"
	// SignedNone: unsigned calls are accepted (bearer token only). A clinic
	// must say so explicitly; an empty signing_secrets list is refused.
	SignedNone = "none"
)

// Minimum secret lengths, in characters.
const (
	MinTokenLen  = 32 // the specification's minimum for the bearer token
	MinSecretLen = 24 // HMAC signing secrets (Standard Webhooks: 24 to 64 bytes)
	MinHeaderLen = 16 // optional X-API-Key and X-Webhook-Secret values
	MinPIIKeyLen = 32 // CARELAKE_PII_KEY, in bytes
)

// PIIKeyEnv names the environment variable holding the pseudonymisation key.
const PIIKeyEnv = "CARELAKE_PII_KEY"

// ClinicConfig is one clinic of the serve configuration.
type ClinicConfig struct {
	ClinicID string `yaml:"clinic_id"`
	// Tokens are the accepted bearer tokens (several while rotating).
	Tokens []string `yaml:"tokens"`
	// SigningSecrets are the accepted HMAC secrets (several while rotating).
	SigningSecrets []string `yaml:"signing_secrets"`
	// SignedPayload is body (default), timestamp.body or none.
	SignedPayload string `yaml:"signed_payload"`
	// APIKey, when set, must arrive as X-API-Key.
	APIKey string `yaml:"api_key"`
	// WebhookSecret, when set, must arrive as X-Webhook-Secret.
	WebhookSecret string `yaml:"webhook_secret"`
}

// Config is the serve configuration file (YAML):
//
//	clinics:
//	  - clinic_id: clinic_abc
//	    tokens: ["<bearer token, 32+ chars>"]      # several while rotating
//	    signing_secrets: ["<HMAC secret, 24+ chars>"] # several while rotating
//	    signed_payload: body                       # or timestamp.body, or none
//	    api_key: "<optional X-API-Key, 16+ chars>"
//	    webhook_secret: "<optional X-Webhook-Secret, 16+ chars>"
//
// Unknown keys are refused (a typo must not silently drop a check).
type Config struct {
	Clinics []ClinicConfig `yaml:"clinics"`
}

// clinicIDPattern keeps clinic IDs safe as hive partition values
// (careq/<table>/clinic_id=<id>/...).
var clinicIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// unknownKey matches the YAML decoder's message for a key the config does
// not have, which names the Go type it was decoding (group 2): the message
// says where the key was instead.
var unknownKey = regexp.MustCompile(`field (\S+) not found in type receiver\.(\w+)`)

// LoadConfig reads and validates a config file. The file must not be readable
// or writable by group or others: it holds every clinic's secrets.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%w: %s is a directory: give the config file itself (data/careq/serve.example.yaml shows one)", ErrConfig, path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o: run chmod 600 %s", ErrConfigPermissions, path, perm, path)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrConfig, path, err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig parses and validates a config document. Every problem is
// reported at once, each naming the clinic and the field.
func ParseConfig(b []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty file: add a clinics: list", ErrConfig)
		}
		return nil, fmt.Errorf("%w: %s", ErrConfig, unknownKey.ReplaceAllStringFunc(err.Error(), func(m string) string {
			g := unknownKey.FindStringSubmatch(m)
			where := map[string]string{"Config": "at the top level", "ClinicConfig": "in a clinic"}[g[2]]
			return strings.TrimSpace(fmt.Sprintf("unknown key %q %s", g[1], where)) + " (data/careq/serve.example.yaml lists the keys)"
		}))
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Validate checks the whole configuration; SignedPayload defaults to body.
func (c *Config) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(c.Clinics) == 0 {
		add("clinics: no clinic configured")
	}
	clinicAt := map[string]int{}
	tokenOwner := map[[32]byte]string{}
	for i := range c.Clinics {
		cl := &c.Clinics[i]
		name := cl.ClinicID
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		where := fmt.Sprintf("clinic %s", name)
		switch {
		case cl.ClinicID == "":
			add("clinic #%d: clinic_id is empty", i+1)
		case !clinicIDPattern.MatchString(cl.ClinicID):
			add("%s: clinic_id must be 1 to 100 letters, digits, '_', '.' or '-', starting with a letter or digit", where)
		case cl.ClinicID == schemas.CareQUnauthenticated:
			add("%s: clinic_id %q is reserved for calls no token matched: choose another", where, cl.ClinicID)
		case clinicAt[cl.ClinicID] != 0:
			add("%s: clinic_id is also used by clinic #%d", where, clinicAt[cl.ClinicID])
		default:
			clinicAt[cl.ClinicID] = i + 1
		}
		if len(cl.Tokens) == 0 {
			add("%s: tokens is empty: add a bearer token of at least %d characters", where, MinTokenLen)
		}
		for j, t := range cl.Tokens {
			if msg := checkSecret(t, MinTokenLen); msg != "" {
				add("%s: tokens[%d] %s", where, j, msg)
				continue
			}
			d := sha256.Sum256([]byte(t))
			if owner, dup := tokenOwner[d]; dup {
				add("%s: tokens[%d] is also a token of clinic %s: every token must be unique", where, j, owner)
				continue
			}
			tokenOwner[d] = name
		}
		if cl.SignedPayload == "" {
			cl.SignedPayload = SignedBody
		}
		switch cl.SignedPayload {
		case SignedBody, SignedTimestampBody:
			if len(cl.SigningSecrets) == 0 {
				add("%s: signing_secrets is empty: add a secret of at least %d characters, or set signed_payload: none to accept unsigned calls (not recommended)",
					where, MinSecretLen)
			}
		case SignedNone:
			if len(cl.SigningSecrets) > 0 {
				add("%s: signed_payload is none but signing_secrets is set: remove one of them", where)
			}
		default:
			add("%s: signed_payload %q: use body, timestamp.body or none", where, cl.SignedPayload)
		}
		for j, s := range cl.SigningSecrets {
			if msg := checkSecret(s, MinSecretLen); msg != "" {
				add("%s: signing_secrets[%d] %s", where, j, msg)
			}
		}
		if cl.APIKey != "" {
			if msg := checkSecret(cl.APIKey, MinHeaderLen); msg != "" {
				add("%s: api_key %s", where, msg)
			}
		}
		if cl.WebhookSecret != "" {
			if msg := checkSecret(cl.WebhookSecret, MinHeaderLen); msg != "" {
				add("%s: webhook_secret %s", where, msg)
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrConfig, strings.Join(problems, "; "))
	}
	return nil
}

// checkSecret describes what is wrong with a secret, never showing it.
func checkSecret(s string, minLen int) string {
	switch {
	case len(s) < minLen:
		return fmt.Sprintf("is %d characters: use at least %d", len(s), minLen)
	case strings.ContainsAny(s, " \t\r\n"):
		return "contains white space"
	}
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return "must be printable ASCII (it travels in an HTTP header)"
		}
	}
	return ""
}

// PIIKeyFromEnv returns the pseudonymisation key from CARELAKE_PII_KEY.
func PIIKeyFromEnv() ([]byte, error) {
	return checkPIIKey(os.Getenv(PIIKeyEnv))
}

func checkPIIKey(k string) ([]byte, error) {
	if len(k) < MinPIIKeyLen {
		return nil, fmt.Errorf("%w (it has %d): generate one with 'openssl rand -hex 32' and keep it: changing it changes every pseudonym",
			ErrPIIKey, len(k))
	}
	return []byte(k), nil
}
