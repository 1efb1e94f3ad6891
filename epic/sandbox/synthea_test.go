package sandbox

import (
	"net/url"
	"os"
	"testing"
)

// TestDataDir loads the Synthea bundles in shared/fhir-samples and serves them in Epic's shapes.
func TestDataDir(t *testing.T) {
	dir := "../../../shared/fhir-samples"
	if _, err := os.Stat(dir); err != nil {
		dir = "/work/shared/fhir-samples"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no Synthea samples here")
	}
	e := newEnv(t, Options{DataDir: dir})
	r := e.sb.LoadReport()
	if r.Files != 4 || r.Patients != 4 || r.Mapped["Observation"] != 189 || r.Mapped["Encounter"] != 26 || r.Skipped["resource type Claim not served"] == 0 {
		t.Errorf("report = %+v", r)
	}
	tok := e.token()
	_, body := e.get(tok, "Patient?identifier="+url.QueryEscape("MRN|8666cd40-7af9-48c6-a1a6-86a161195542"), fhirJSON)
	b := decodeBundle(t, body)
	if matches(b) != 1 {
		t.Fatalf("Fannie by MRN: %.300s", body)
	}
	_, body = e.get(tok, "Observation?patient=8666cd40-7af9-48c6-a1a6-86a161195542&category=vital-signs", fhirJSON)
	if got := matches(decodeBundle(t, body)); got != 8 {
		t.Errorf("Fannie's vitals = %d, want 8", got)
	}
	_, body = e.get(tok, "Encounter?patient=8666cd40-7af9-48c6-a1a6-86a161195542", fhirJSON)
	if got := matches(decodeBundle(t, body)); got != 1 {
		t.Errorf("Fannie's encounters = %d, want 1", got)
	}
}
