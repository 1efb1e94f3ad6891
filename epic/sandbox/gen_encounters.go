package sandbox

import (
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

type clinician struct{ id, display string }

type place struct{ id, display string }

var (
	familyDoc    = clinician{"eM5CWtq15N0WJeuCet5bJlQ3", "Physician Family Medicine, MD"}
	edDoc        = clinician{"eQm1R2eNhXyP4s7vBzUu0Kw3", "Physician Emergency Medicine, MD"}
	hospitalist  = clinician{"eTk8a3LhVw9Zc1pQ6rD2yHg3", "Physician Hospitalist, MD"}
	cardiologist = clinician{"eC4rdio9LgYkT5nBxq7WvEw3", "Physician Cardiology, MD"}
	nurse        = clinician{"evNp-KhYwOOqAZn1pZ2enuA3", "User Interconnect"}

	familyClinic = place{"e4W4rmGe9QzuGm2Dy4NBqVc0KDe6yGld6HW95UuN-Qd03", "EMC Family Medicine"}
	cardioClinic = place{"eCa8HgF2mQ5zR1wTyU7oIp4Ls3", "EMC Cardiology"}
	edPlace      = place{"eED1Vh0qXo3J5LrZbm8pA2Tw3", "EMH Emergency Department"}
	wardPlace    = place{"eMS4kRt7Yp2Ln9QwZx6cVb1Jd3", "EMH Medical Surgical Unit"}
	hospital     = place{"eQSOrLdbVrMRc68KBcTBG4A3", "Epic Hospital System"}
)

// Visit kinds the generator produces.
const (
	visitOffice    = "office"
	visitCardio    = "cardiology"
	visitED        = "emergency"
	visitInpatient = "inpatient"
)

// visit is a generated encounter and what observations need to point at it.
type visit struct {
	kind       string
	start, end time.Time // end zero: still open (in progress)
	id, csn    string
	label      string // the encounter type text, used as the observation's encounter display
	reference  *fhir.Reference
}

// ref is the reference observations make to v, shared by all of them.
func (v *visit) ref() *fhir.Reference {
	if v.reference == nil {
		v.reference = &fhir.Reference{
			Reference:  "Encounter/" + v.id,
			Identifier: &fhir.Identifier{Use: "usual", System: sysCSN, Value: v.csn},
			Display:    v.label,
		}
	}
	return v.reference
}

// encounterResource writes v in the shape of the Camila Lopez captures: CSN identifier, Epic class
// and type codings, participants with v3 participation types, locations, service provider.
func (g *gen) encounterResource(p *person, v *visit) fhir.Encounter {
	e := fhir.Encounter{
		ResourceType:    "Encounter",
		ID:              v.id,
		Identifier:      []fhir.Identifier{{Use: "usual", System: sysCSN, Value: v.csn}},
		Status:          "finished",
		Subject:         p.ref(),
		ServiceProvider: &fhir.Reference{Reference: epicHospital, Display: epicHospitalTxt},
	}
	if v.end.IsZero() {
		e.Status = "in-progress"
	}
	part := func(code, display string, c clinician) fhir.EncounterParticipant {
		t := cc(sysParticipType, code, display)
		return fhir.EncounterParticipant{Type: []fhir.CodeableConcept{t}, Individual: &fhir.Reference{Reference: "Practitioner/" + c.id, Type: "Practitioner", Display: c.display}}
	}
	loc := func(pl place) fhir.EncounterLocation {
		return fhir.EncounterLocation{Location: fhir.Reference{Reference: "Location/" + pl.id, Display: pl.display}}
	}
	switch v.kind {
	case visitOffice, visitCardio:
		e.Class = &fhir.Coding{System: sysEncClass, Code: "13", Display: "Support OP Encounter"}
		e.Type = []fhir.CodeableConcept{cc(sysEncType, "101", "Office Visit")}
		doc, pl := familyDoc, familyClinic
		if v.kind == visitCardio {
			doc, pl = cardiologist, cardioClinic
			e.ServiceType = ptr(cc(sysServiceType, "7", "Cardiology"))
		}
		e.Participant = []fhir.EncounterParticipant{part("PART", "Participation", doc)}
		e.Period = &fhir.Period{Start: dateOnly(v.start), End: dateOnly(v.start)}
		e.Location = []fhir.EncounterLocation{loc(pl)}
		if v.end.IsZero() {
			e.Period.End = fhir.DateTime{}
		}
	case visitED:
		e.Class = &fhir.Coding{System: sysEncClass, Code: "3", Display: "Emergency"}
		e.Type = []fhir.CodeableConcept{cc(sysEncSubType, "102", "Emergency"), cc(sysEncType, "3", "Hospital Encounter")}
		e.ServiceType = ptr(cc(sysServiceType, "10", "Emergency Medicine"))
		e.Participant = []fhir.EncounterParticipant{part("ATND", "attender", edDoc)}
		e.Period = &fhir.Period{Start: dt(v.start), End: dt(v.end)}
		e.Account = []fhir.Reference{{Identifier: &fhir.Identifier{System: sysAccount, Value: "2" + v.csn}, Display: upperDisplay(p)}}
		e.Location = []fhir.EncounterLocation{loc(edPlace), loc(hospital)}
	case visitInpatient:
		e.Class = &fhir.Coding{System: sysEncClass, Code: "1", Display: "Inpatient"}
		e.Type = []fhir.CodeableConcept{cc(sysEncSubType, "101", "Admission"), cc(sysEncType, "3", "Hospital Encounter")}
		e.ServiceType = ptr(cc(sysServiceType, "24", "Internal Medicine"))
		e.Participant = []fhir.EncounterParticipant{part("ADM", "admitter", edDoc), part("ATND", "attender", hospitalist)}
		e.Period = &fhir.Period{Start: dt(v.start), End: dt(v.end)}
		e.Account = []fhir.Reference{{Identifier: &fhir.Identifier{System: sysAccount, Value: "2" + v.csn}, Display: upperDisplay(p)}}
		e.Location = []fhir.EncounterLocation{loc(wardPlace), loc(hospital)}
	}
	if v.end.IsZero() {
		e.Period.End = fhir.DateTime{}
	}
	return e
}

func upperDisplay(p *person) string {
	out := []rune{}
	for _, r := range p.family + "," + joinSpace(p.given) {
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		out = append(out, r)
	}
	return string(out)
}

func joinSpace(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// history generates a patient's encounters between since and until (both UTC), newest first in time
// walking backwards from a visit a few days before until, with an average gap of gapDays. Each
// visit gets its vitals, and labs when a clinician would order them (every labsEvery-th office
// visit and every acute one; never when labsEvery is 0).
func (g *gen) history(p *person, since, until time.Time, gapDays float64, labsEvery int) {
	t := until.Add(-time.Duration(1+g.rng.IntN(6*24)) * time.Hour)
	n := 0
	for t.After(since) {
		v := &visit{kind: visitOffice, id: g.fhirID('e', 22), csn: g.nextCSN(), label: "Office Visit"}
		switch r := g.rng.Float64(); {
		case r < 0.06:
			v.kind, v.label = visitInpatient, "Hospital Encounter"
		case r < 0.16:
			v.kind, v.label = visitED, "Hospital Encounter"
		case r < 0.24 && p.hypertension:
			v.kind = visitCardio
		}
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		switch v.kind {
		case visitOffice, visitCardio:
			v.start = day.Add(time.Duration(8*60+g.rng.IntN(9*60)) * time.Minute)
			if v.start.Add(2 * time.Hour).After(until) {
				v.start = v.start.AddDate(0, 0, -1) // today's clinic hours are not over yet
			}
			v.end = v.start.Add(30 * time.Minute)
		case visitED:
			v.start = t
			v.end = t.Add(time.Duration(2+g.rng.IntN(8)) * time.Hour)
		case visitInpatient:
			v.start = t
			v.end = t.Add(time.Duration(36+g.rng.IntN(5*24)) * time.Hour)
		}
		if v.end.After(until) {
			v.end = time.Time{} // still going on: in-progress
		}
		g.st.addEncounter(g.encounterResource(p, v), p.id, nil)
		g.vitalsFor(p, v, until)
		if labsEvery > 0 && (v.kind != visitOffice || n%labsEvery == 0) {
			g.labsFor(p, v, until, v.kind == visitOffice && n%(labsEvery*3) == 0)
		}
		if n%8 == 0 {
			g.socialHistory(p, v)
		}
		n++
		gap := g.rng.ExpFloat64() * gapDays
		t = t.Add(-time.Duration((2 + gap) * 24 * float64(time.Hour)))
		// Slow drifts between visits make trends worth charting.
		p.weightKG += g.normal(0, 0.8)
		p.systolic += g.normal(0, 1.5)
	}
}
