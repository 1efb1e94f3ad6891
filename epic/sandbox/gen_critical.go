package sandbox

import (
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// addRedrawnCriticalPatient adds a patient whose labs exercise the chart's critical-results
// summary the way an emergency visit does: a critical potassium redrawn two and a half hours later
// and normal (the summary must show the newer result beside it, so the 6.7 never reads as
// current), a critical glucose not yet repeated (current, shown alone), and a critical sodium from
// a visit twelve days ago (outside the summary's seven days; in the labs table only). Every flag is
// the one the generator's lab system would give the value. It is added last, so adding it changed
// no other patient's data.
func (g *gen) addRedrawnCriticalPatient() {
	p := g.randomPerson("400012")
	p.given, p.family, p.sex = []string{"Kwame"}, "Mensah", "male"
	p.diabetes, p.ckd = true, true
	g.addListed(p, "Critical results: a potassium redrawn normal, a glucose not yet repeated, a sodium from 12 days ago")
	g.history(p, g.now.AddDate(-2, 0, 0), g.now.AddDate(0, 0, -20), 45, 2)

	sodium, potassium, glucose := panelBMP.analytes[0], panelBMP.analytes[1], panelBMP.analytes[6]
	// visitLabs adds an emergency visit at `at` with its vital signs and, for each result, a lab
	// drawn the given time after arrival, flagged as the lab system flags its value.
	visitLabs := func(at time.Time, results ...criticalDraw) {
		v := &visit{kind: visitED, start: at, end: at.Add(6 * time.Hour), id: g.fhirID('e', 22), csn: g.nextCSN(), label: "Hospital Encounter"}
		g.st.addEncounter(g.encounterResource(p, v), p.id, nil)
		g.vitalsFor(p, v, g.now)
		order := &fhir.Reference{Reference: "ServiceRequest/" + g.fhirID('e', 40), Display: "Emergency labs"}
		for _, r := range results {
			specimen := &fhir.Reference{Reference: "Specimen/" + g.fhirID('e', 42), Display: "Specimen"}
			o := g.labObservation(p, v, at.Add(r.after), order, specimen, r.analyte)
			o.ValueQuantity = ucum(r.value, r.analyte.decimals, r.analyte.unit)
			o.ReferenceRange = referenceRange(r.analyte)
			if flag := interpretation(r.analyte, r.value); flag != nil {
				o.Interpretation = []fhir.CodeableConcept{*flag}
			}
			g.st.addObservation(o, p.id, nil)
		}
	}
	visitLabs(g.now.AddDate(0, 0, -12).Truncate(time.Minute), criticalDraw{sodium, 30 * time.Minute, 117})
	visitLabs(g.now.Add(-20*time.Hour).Truncate(time.Minute),
		criticalDraw{potassium, 30 * time.Minute, 6.7},
		criticalDraw{glucose, 30 * time.Minute, 38},
		criticalDraw{potassium, 3 * time.Hour, 4.6},
	)
}

// criticalDraw is one lab result of addRedrawnCriticalPatient: its analyte, how long after the
// visit's start it was drawn, and its value.
type criticalDraw struct {
	analyte analyte
	after   time.Duration
	value   float64
}
