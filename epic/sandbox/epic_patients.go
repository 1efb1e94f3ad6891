package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// Epic's public sandbox test patients (EPIC.md §5): FHIR ids and MRNs as documented, so code written
// against fhir.epic.com works unchanged here.
const (
	camilaID  = "erXuFYUfucBZaryVksYEcMg3"
	derrickID = "eq081-VQEgP8drUUqCWzHfw3"
)

// loadCamila builds Camila Lopez (MRN 203713) from her captures: the Patient read, her encounters,
// labs and (trimmed) vitals, byte for byte.
func loadCamila(st *store) error {
	raw, err := readCapture("patient-read-sandbox-camila-lopez.json")
	if err != nil {
		return err
	}
	var p fhir.Patient
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("sandbox: camila patient: %w", err)
	}
	st.addPatient(p, compact(raw))
	for _, name := range []string{
		"encounter-search-sandbox-camila-lopez.json",
		"observation-search-laboratory-sandbox-camila-lopez.json",
		"observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json",
	} {
		if err := loadCapturedBundle(st, name, camilaID); err != nil {
			return err
		}
	}
	return nil
}

// loadCapturedBundle stores the match entries of a captured searchset as patientID's resources.
func loadCapturedBundle(st *store, name, patientID string) error {
	raw, err := readCapture(name)
	if err != nil {
		return err
	}
	var b fhir.Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		return fmt.Errorf("sandbox: capture %s: %w", name, err)
	}
	for i, e := range b.Entry {
		if e.Mode() != fhir.SearchModeMatch {
			continue
		}
		switch e.ResourceType() {
		case "Encounter":
			var enc fhir.Encounter
			if err := json.Unmarshal(e.Resource, &enc); err != nil {
				return fmt.Errorf("sandbox: capture %s entry %d: %w", name, i, err)
			}
			st.addEncounter(enc, patientID, compact(e.Resource))
		case "Observation":
			var o fhir.Observation
			if err := json.Unmarshal(e.Resource, &o); err != nil {
				return fmt.Errorf("sandbox: capture %s entry %d: %w", name, i, err)
			}
			st.addObservation(o, patientID, compact(e.Resource))
		}
	}
	return nil
}

func compact(raw []byte) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return raw
	}
	return buf.Bytes()
}

// testPatient is one of Epic's documented sandbox patients the sandbox generates (no capture of
// their chart exists).
type testPatient struct {
	id, mrn, given, family, sex, summary string
	labs, vitals                         bool
}

var epicTestPatients = []testPatient{
	{derrickID, "203711", "Derrick", "Lin", "male", "Epic test patient: smoking history, no labs", false, false},
	{"eAB3mDIBBcyUKviyzrxsnAw3", "203714", "Desiree", "Powell", "female", "Epic test patient: vitals", false, true},
	{"egqBHVfQlt4Bw3XGXoxVxHg3", "203709", "Elijah", "Davis", "male", "Epic test patient", true, true},
	{"eIXesllypH3M9tAA5WdJftQ3", "203712", "Linda", "Ross", "female", "Epic test patient: vitals", false, true},
	{"eh2xYHuzl9nkSFVvV3osUHg3", "203715", "Olivia", "Roberts", "female", "Epic test patient", true, true},
	{"e0w0LEDCYtfckT6N.CkJKCw3", "203710", "Warren", "McGinnis", "male", "Epic test patient: labs and vitals", true, true},
	{"eD.LxhDyX35TntF77l7etUA3", "203675", "Jason", "Argonaut", "male", "Epic test patient (Argonaut)", true, true},
}

// addEpicTestPatients generates the documented test patients other than Camila. Derrick Lin keeps his
// captured encounter and gets social history (smoking) but no labs, as documented.
func (g *gen) addEpicTestPatients() error {
	for _, tp := range epicTestPatients {
		p := g.randomPerson(tp.mrn)
		p.id, p.family, p.sex, p.summary = tp.id, tp.family, tp.sex, tp.summary
		p.given = []string{tp.given}
		g.st.addPatient(g.patientResource(p), nil)
		g.st.directory = append(g.st.directory, Listing{MRN: tp.mrn, Name: p.fullName(), Summary: tp.summary})
		if tp.id == derrickID {
			if err := loadCapturedBundle(g.st, "encounter-search-sandbox-derrick-lin.json", derrickID); err != nil {
				return err
			}
			p.smoker = "former"
			v := &visit{kind: visitOffice, start: g.now.AddDate(0, -2, 0), id: g.fhirID('e', 22), csn: g.nextCSN(), label: "Office Visit"}
			v.end = v.start.Add(30 * time.Minute)
			g.st.addEncounter(g.encounterResource(p, v), p.id, nil)
			g.socialHistory(p, v)
			continue
		}
		labsEvery := 3
		if !tp.labs {
			labsEvery = 0
		}
		g.history(p, g.now.AddDate(-3, 0, 0), g.now, 45, labsEvery)
	}
	return nil
}
