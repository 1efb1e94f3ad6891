package present

import (
	"strings"
	"testing"

	"github.com/chartside/chartside/epic/fhir"
)

// TestEncounterClinicianNotReferrer: Camila Lopez's echo and X-ray of Jun 2, 2023 (a real Epic
// capture) name her nurse practitioner as referrer (REF) and the department that did them with no
// type. The timeline line said "Clinician: Np Family Medicine, NP" while the Details said
// "Referrer: Np Family Medicine, NP" and "Clinician: EMC CARD ECHO". The line now names whom the
// Details call the clinician; a referrer is never called the clinician, and when only a referrer is
// named the line says so by role.
func TestEncounterClinicianNotReferrer(t *testing.T) {
	loc := chicago(t)
	encs := bundleOf[fhir.Encounter](t, "encounter-search-sandbox-camila-lopez.json", "Encounter")
	want := map[string]string{
		"ej567ARSFdaF": "EMC CARD ECHO",
		"eoIRZgvu9Rhr": "EMH X-RAY 1",
		"eoK8nLRcEypN": "Physician Surgery, MD", // admitter and attender: the attender
	}
	found := 0
	for _, e := range encs {
		name, ok := want[e.ID[:min(12, len(e.ID))]]
		if !ok {
			continue
		}
		found++
		row := EncounterRow(e, loc, testLinks())
		if row.ClinicianRole != "Clinician" || row.Clinician != name {
			t.Errorf("%s (%s): line says %q: %q, want Clinician: %q", row.Type, row.When, row.ClinicianRole, row.Clinician, name)
		}
		// The Details agree: whoever the line calls the clinician is one there too, not a referrer.
		d := EncounterDetail(e, nil, nil, loc, testLinks())
		agree := false
		for _, r := range d.Details {
			if r.Value == row.Clinician && (r.Label == "Clinician" || r.Label == "Attender") {
				agree = true
			}
			if r.Label == "Referrer" && r.Value == row.Clinician {
				t.Errorf("%s (%s): the line's clinician %q is the referrer in its Details", row.Type, row.When, row.Clinician)
			}
		}
		if !agree {
			t.Errorf("%s (%s): Details %+v do not name %q as the clinician", row.Type, row.When, d.Details, row.Clinician)
		}
	}
	if found != len(want) {
		t.Fatalf("found %d of the %d encounters checked in the capture", found, len(want))
	}

	refType := []fhir.CodeableConcept{{Text: "referrer", Coding: []fhir.Coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", Code: "REF", Display: "referrer"}}}}
	admType := []fhir.CodeableConcept{{Text: "admitter", Coding: []fhir.Coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", Code: "ADM", Display: "admitter"}}}}
	pprfType := []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", Code: "PPRF", Display: "primary performer"}}}}
	who := func(name string, types []fhir.CodeableConcept) fhir.EncounterParticipant {
		return fhir.EncounterParticipant{Type: types, Individual: &fhir.Reference{Display: name}}
	}
	for _, tt := range []struct {
		name     string
		people   []fhir.EncounterParticipant
		wantLine string
	}{
		{"only a referrer", []fhir.EncounterParticipant{who("Dr Refer", refType)}, "Referrer: Dr Refer"},
		{"admitter before the primary performer", []fhir.EncounterParticipant{who("Dr Admit", admType), who("Dr Perform", pprfType)}, "Clinician: Dr Perform"},
		{"referrer before an untyped participant", []fhir.EncounterParticipant{who("Dr Refer", refType), who("Dr Seen", nil)}, "Clinician: Dr Seen"},
		{"nobody named", nil, "Clinician: Not recorded"},
	} {
		row := EncounterRow(fhir.Encounter{ID: "x", Participant: tt.people}, loc, testLinks())
		if got := row.ClinicianRole + ": " + row.Clinician; got != tt.wantLine {
			t.Errorf("%s: line says %q, want %q", tt.name, got, tt.wantLine)
		}
		if tt.name == "only a referrer" && strings.HasPrefix(row.ClinicianRole, "Clinician") {
			t.Errorf("%s: a referrer is called the clinician", tt.name)
		}
	}
}
