package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"carelake/data"
	"carelake/internal/careqreplay"
	"carelake/internal/testkit"
	"carelake/schemas"
	"carelake/schemas/careqlog"
	"carelake/stages/extract/receiver"
	"carelake/stages/load"
	"carelake/stages/normalise/careqnorm"
)

const storageRulesPIIKey = "storage-rules-test-pii-key-0123456789ab"

// Generated from receiver.StorageRules: a phone number, an e-mail address
// and a full name (each unique to its case) go into every field of every
// payload through the real receiver, then normalise-careq and load build
// the warehouse. A value in a field whose rule is not kept is never in the
// log or the warehouse, whatever the answer; in a kept field (free text
// with --keep-free-text) it is in both when the call was applied, and never
// in the warehouse otherwise; an accepted e-mail or phone number is there
// as its pseudonym.
func TestStorageRulesLogAndWarehouse(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep-free-text=%v", keep), func(t *testing.T) { checkStorageRules(t, keep) })
	}
}

type storageCase struct {
	rule    receiver.StorageRule
	kind    string // phone, email or name
	value   string
	applied bool
}

func checkStorageRules(t *testing.T, keep bool) {
	root := t.TempDir()
	cfgText, err := fs.ReadFile(data.CareQ, "careq/serve.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := receiver.ParseConfig(cfgText)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := receiver.New(receiver.ServerOptions{Config: cfg, PIIKey: []byte(storageRulesPIIKey),
		LogDir: careqlog.Dir(root), KeepFreeText: keep, RatePerMinute: 1 << 30, RateBurst: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	client := receiver.ClinicClients(hs.URL, cfg)["clinic_abc"]
	base := map[string]string{}
	sub, _ := fs.Sub(data.CareQ, "careq/deliveries")
	ds, err := careqreplay.LoadDeliveries(sub)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.File != "00-specification.json" || d.ClinicID != "clinic_abc" {
			continue
		}
		if _, ok := base[d.Endpoint]; !ok {
			base[d.Endpoint] = string(d.Body)
		}
		if status, body, err := client.Send(context.Background(), d.Endpoint, d.Body); err != nil || status >= 300 {
			t.Fatalf("%s: %d %s %v", d.Endpoint, status, body, err)
		}
	}
	endpoint := map[string]string{
		schemas.CareQPatientType: careqlog.EndpointPatient, schemas.CareQDoctorType: careqlog.EndpointDoctor,
		schemas.CareQServiceType: careqlog.EndpointService, schemas.CareQAppointmentType: careqlog.EndpointAppointment,
		schemas.CareQAppointmentStatusType: careqlog.EndpointStatus, schemas.CareQAppointmentCancelType: careqlog.EndpointCancel,
	}
	var cases []storageCase
	for i, r := range receiver.StorageRules {
		for _, kind := range []string{"phone", "email", "name"} {
			n := len(cases)
			c := storageCase{rule: r, kind: kind, value: map[string]string{
				"phone": fmt.Sprintf("98%08d", n),
				"email": fmt.Sprintf("leak%d.raman@example.org", n),
				"name":  "Ananya " + letters(n) + "wati",
			}[kind]}
			id := 500_000 + n
			var ep, body string
			if r.Type == receiver.BatchEnvelope {
				svc := testkit.SetJSON(t, base[careqlog.EndpointService], "careq_id", id)
				ep = careqlog.EndpointBatch
				body = testkit.SetJSON(t, `{"clinic_id": "clinic_abc", "batch_id": "b", "records": [{"type": "service", "data": `+svc+`}]}`, r.Field, c.value)
			} else {
				ep = endpoint[r.Type]
				body = base[ep]
				switch r.Type {
				case schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
					// No event time: applied in arrival order, whatever came before.
					body = testkit.SetJSON(t, body, "updated_at", nil, "cancelled_at", nil)
				case schemas.CareQAppointmentType:
					body = testkit.SetJSON(t, body, "careq_id", id, "hash", fmt.Sprintf("h%d", i*3+n))
				default:
					body = testkit.SetJSON(t, body, "careq_id", id)
				}
				body = testkit.SetJSON(t, body, r.Field, c.value)
			}
			status, answer, err := client.Send(context.Background(), ep, []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			var a struct {
				Data struct {
					SyncStatus string `json:"sync_status"`
					Successful int    `json:"successful"`
				} `json:"data"`
			}
			json.Unmarshal(answer, &a)
			if status == 429 || status >= 500 {
				t.Fatalf("%s.%s: %d %s", r.Type, r.Field, status, answer)
			}
			c.applied = status < 300 && (a.Data.SyncStatus == "synced" || a.Data.SyncStatus == careqlog.SyncUpdated || a.Data.Successful == 1)
			cases = append(cases, c)
		}
	}
	hs.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	logText := readTree(t, careqlog.Dir(root))
	if _, err := careqnorm.Run(context.Background(), careqnorm.Options{Root: root}); err != nil {
		t.Fatal(err)
	}
	if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	warehouseText := dumpCareQWarehouse(t, root)
	pii := receiver.NewPseudonymiser([]byte(storageRulesPIIKey), keep)
	applied := 0
	for _, c := range cases {
		where := fmt.Sprintf("%s.%s (%s) holding a %s", c.rule.Type, c.rule.Field, c.rule.Rule, c.kind)
		kept := c.rule.Rule == receiver.RuleKept || c.rule.Rule == receiver.RuleFreeText && keep
		inLog, inWarehouse := strings.Contains(logText, c.value), strings.Contains(warehouseText, c.value)
		switch {
		case !kept && (inLog || inWarehouse):
			t.Errorf("%s: the value is in the log (%v) or the warehouse (%v)", where, inLog, inWarehouse)
		case kept && c.applied && (!inLog || !inWarehouse):
			t.Errorf("%s, applied: in the log %v, in the warehouse %v; the rule keeps it", where, inLog, inWarehouse)
		case kept && !c.applied && inWarehouse:
			t.Errorf("%s, not applied: the value is in the warehouse", where)
		}
		if c.applied {
			applied++
			pseudonym := map[string]string{"email": pii.Email(c.value), "phone_number": pii.Phone(c.value), "mobile_number": pii.Phone(c.value)}[c.rule.Field]
			if c.rule.Rule == receiver.RulePseudonymised && pseudonym != "" && !strings.Contains(warehouseText, pseudonym) {
				t.Errorf("%s: its pseudonym is not in the warehouse", where)
			}
		}
	}
	if applied < 50 {
		t.Fatalf("only %d of %d cases applied: the bases are wrong", applied, len(cases))
	}
	t.Logf("%d cases, %d applied", len(cases), applied)
}

// letters spells n in the letters a..z (a name part unique to n).
func letters(n int) string {
	s := string(rune('A' + n%26))
	for n /= 26; n > 0; n /= 26 {
		s += string(rune('a' + n%26))
	}
	return s
}

// dumpCareQWarehouse is every row of every CareQ table, as text.
func dumpCareQWarehouse(t *testing.T, root string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, _ := filepath.Glob(filepath.Join(root, "careq", "*"))
	if len(tables) < 4 {
		t.Fatalf("CareQ tables in the warehouse: %v", tables)
	}
	var b strings.Builder
	for _, dir := range tables {
		rows, err := db.Query(fmt.Sprintf(`SELECT CAST(t AS VARCHAR) FROM read_parquet('%s/**/*.parquet', hive_partitioning = true) t`, dir))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}
