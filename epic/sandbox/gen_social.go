package sandbox

import (
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// socialHistory records smoking, alcohol, drug use and a free-text note at visit v, shaped like the
// App Orchard social-history capture.
func (g *gen) socialHistory(p *person, v *visit) {
	cat := []fhir.CodeableConcept{cc(sysObsCategory, "social-history", "Social History")}
	issued := dt(time.Date(v.start.Year(), v.start.Month(), v.start.Day(), 5, 0, 0, 0, time.UTC))
	base := func(code fhir.CodeableConcept) fhir.Observation {
		return fhir.Observation{
			ResourceType: "Observation", ID: g.fhirID('e', 60), Status: "final", Category: cat, Code: code,
			Subject: p.ref(), Issued: issued,
		}
	}
	smoking := base(fhir.CodeableConcept{Text: "Smoking History", Coding: []fhir.Coding{
		{System: sysLOINC, Code: "72166-2", Display: "Tobacco smoking status"},
		{System: sysSNOMED, Code: "365980008", Display: "Finding of tobacco use and exposure (finding)"},
	}})
	smoking.Performer = []fhir.Reference{{Reference: "Practitioner/" + familyDoc.id, Display: familyDoc.display}}
	switch p.smoker {
	case "current":
		smoking.ValueCodeableConcept = ptr(fhir.CodeableConcept{Coding: []fhir.Coding{{System: sysSNOMED, Code: "449868002", Display: "Smokes tobacco daily"}}, Text: "Every Day"})
		smoking.EffectivePeriod = &fhir.Period{Start: dateOnly(v.start.AddDate(-20, 0, 0))}
		smoking.Component = []fhir.ObservationComponent{
			{Code: fhir.CodeableConcept{Text: "Type", Coding: []fhir.Coding{{System: sysLOINC, Code: "81228-9", Display: "Tobacco product"}}},
				ObservationValue: fhir.ObservationValue{ValueCodeableConcept: ptr(cc(sysSNOMED, "65568007", "Cigarettes"))}},
			{Code: fhir.CodeableConcept{Text: "Packs/Day", Coding: []fhir.Coding{{System: sysLOINC, Code: "8663-7", Display: "Cigarettes smoked current (pack per day) - Reported"}}},
				ObservationValue: fhir.ObservationValue{ValueQuantity: &fhir.Quantity{Value: jsonNumber("1"), Unit: "Packs/Day", System: sysSNOMED, Code: "228963008"}}},
		}
	case "former":
		smoking.ValueCodeableConcept = ptr(fhir.CodeableConcept{Coding: []fhir.Coding{{System: sysSNOMED, Code: "8517006", Display: "Ex-smoker"}}, Text: "Former"})
		smoking.EffectivePeriod = &fhir.Period{End: dateOnly(v.start.AddDate(-3-g.rng.IntN(15), 0, 0))}
	default:
		smoking.ValueCodeableConcept = ptr(fhir.CodeableConcept{Coding: []fhir.Coding{{System: sysSNOMED, Code: "266919005", Display: "Never smoked tobacco"}}, Text: "Never"})
	}
	g.st.addObservation(smoking, p.id, nil)

	alcohol := base(fhir.CodeableConcept{Text: "Alcohol Use History", Coding: []fhir.Coding{{System: sysLOINC, Code: "11331-6", Display: "History of Alcohol Use"}}})
	alcohol.ValueCodeableConcept = ptr(fhir.CodeableConcept{Coding: []fhir.Coding{{System: sysSNOMED, Code: "219006", Display: "Current drinker of alcohol (finding)"}}, Text: "Yes"})
	alcohol.Note = []fhir.Annotation{{Text: g.pick([]string{"Beer or wine on weekend", "1-2 glasses of wine per week", "Social drinker"})}}
	if g.chance(0.4) {
		alcohol.Note = []fhir.Annotation{{Text: "Does not drink"}}
		alcohol.ValueCodeableConcept = ptr(fhir.CodeableConcept{Coding: []fhir.Coding{{System: sysSNOMED, Code: "105542008", Display: "Non-drinker (finding)"}}, Text: "No"})
	}
	g.st.addObservation(alcohol, p.id, nil)

	drugs := base(fhir.CodeableConcept{Text: "Drug Use History", Coding: []fhir.Coding{
		{System: sysLOINC, Code: "11343-1", Display: "Drug Use History"},
		{System: sysSNOMED, Code: "228366006", Display: "Finding relating to drug misuse behavior (finding)"},
	}})
	drugs.ValueCodeableConcept = ptr(fhir.CodeableConcept{Coding: []fhir.Coding{{System: sysSNOMED, Code: "228367002", Display: "Does not misuse drugs (situation)"}}, Text: "No"})
	g.st.addObservation(drugs, p.id, nil)

	note := base(fhir.CodeableConcept{Text: "Social Documentation", Coding: []fhir.Coding{{System: sysLOINC, Code: "29762-2", Display: "Social Documentation"}}})
	note.ValueString = g.pick([]string{
		"Lives with spouse. Works as a teacher. Walks daily.",
		"Retired. Lives alone, daughter visits weekly.",
		"Works night shifts at a warehouse. Two children.",
		"Student. Plays soccer on weekends.",
	})
	g.st.addObservation(note, p.id, nil)
}
