package sandbox

import (
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// addEdgeCases adds the patients that exist to break careless code: a deceased patient, one with no
// encounters, one with a very long history (several pages per search), two sharing one MRN, names
// and addresses in other scripts, right-to-left and HTML-like text, partial birth dates, and every
// kind of observation value.
func (g *gen) addEdgeCases() {
	add := g.addListed
	until := g.now

	dead := g.randomPerson("400001")
	dead.given, dead.family, dead.sex = []string{"Harold"}, "Whitaker", "male"
	dead.birth = fhir.NewDate(1941, time.February, 11)
	dead.deceased = g.now.AddDate(0, -2, -9).Truncate(time.Hour)
	dead.hypertension, dead.ckd, dead.smoker = true, true, "current"
	add(dead, "Deceased two months ago; history ends at death")
	g.history(dead, dead.deceased.AddDate(-4, 0, 0), dead.deceased, 40, 2)

	empty := g.randomPerson("400002")
	empty.given, empty.family, empty.sex = []string{"Nadia"}, "Petrova", "female"
	add(empty, "No encounters and no observations")

	long := g.randomPerson("400003")
	long.given, long.family, long.sex = []string{"Eleanor", "Ruth"}, "Vance", "female"
	long.birth = fhir.NewDate(1948, time.July, 3)
	long.hypertension, long.diabetes, long.smoker = true, true, "former"
	add(long, "Very long history: hundreds of encounters, thousands of observations, several pages")
	g.history(long, g.now.AddDate(-12, 0, 0), until, 9, 2)

	for _, twin := range []struct {
		given, sex string
		born       fhir.Date
	}{{"Jordan", "male", fhir.NewDate(1985, time.May, 20)}, {"Jordan", "female", fhir.NewDate(1991, time.October, 2)}} {
		p := g.randomPerson("400004")
		p.given, p.family, p.sex, p.birth = []string{twin.given}, "Lee", twin.sex, twin.born
		add(p, "Shares MRN 400004 with another patient (a registration error)")
		g.history(p, g.now.AddDate(-2, 0, 0), until, 60, 3)
	}

	arabic := g.randomPerson("400005")
	arabic.given, arabic.family, arabic.sex, arabic.language = []string{"مريم"}, "الحسيني", "female", "ar"
	arabic.birth, _ = fhir.ParseDate("1970-03")
	arabic.address.Line = []string{"شارع الملك فهد ١٢"}
	add(arabic, "Arabic (right-to-left) name and address; birth date 1970-03 (month only)")
	g.history(arabic, g.now.AddDate(-2, 0, 0), until, 50, 3)

	chinese := g.randomPerson("400006")
	chinese.given, chinese.family, chinese.sex, chinese.language = []string{"秀英"}, "王", "female", "zh"
	chinese.birth, _ = fhir.ParseDate("1970")
	chinese.address.Line = []string{"人民路 88号 3单元"}
	add(chinese, "Chinese name and address; birth date 1970 (year only)")
	g.history(chinese, g.now.AddDate(-2, 0, 0), until, 50, 3)

	html := g.randomPerson("400007")
	html.given, html.family = []string{`"><img src=x onerror=alert(1)>`}, "<script>alert(1)</script>"
	html.address.Line = []string{`"><img src=x>`, "Apt <b>7</b> & 'Co'"}
	add(html, "HTML-like name and address (must be escaped)")
	g.history(html, g.now.AddDate(-1, 0, 0), until, 60, 3)

	accents := g.randomPerson("400008")
	accents.given, accents.family = []string{"Zoë", "Ángela"}, "O'Brien-Ñúñez"
	add(accents, "Accents and apostrophe in name")
	g.history(accents, g.now.AddDate(-2, 0, 0), until, 50, 3)

	values := g.randomPerson("400009")
	values.given, values.family = []string{"Morgan"}, "Quinlan"
	add(values, "Every value kind: string, coded, boolean, range, ratio, comparator, text-only ranges, critical flags")
	g.history(values, g.now.AddDate(-1, 0, 0), until, 60, 3)
	g.oddValues(values, until.Add(-26*time.Hour))
}

// oddValues adds one lab of each unusual value type to p at an emergency visit.
func (g *gen) oddValues(p *person, at time.Time) {
	v := &visit{kind: visitED, start: at, end: at.Add(5 * time.Hour), id: g.fhirID('e', 22), csn: g.nextCSN(), label: "Hospital Encounter"}
	g.st.addEncounter(g.encounterResource(p, v), p.id, nil)
	g.vitalsFor(p, v, g.now)
	order := &fhir.Reference{Reference: "ServiceRequest/" + g.fhirID('e', 40), Display: "Emergency labs"}
	specimen := &fhir.Reference{Reference: "Specimen/" + g.fhirID('e', 42), Display: "Specimen"}
	lab := func(loinc, name, epic string, fill func(o *fhir.Observation)) {
		o := g.labObservation(p, v, at.Add(40*time.Minute), order, specimen, analyte{loinc: loinc, loincName: name, epicCode: epic, text: name})
		fill(&o)
		g.st.addObservation(o, p.id, nil)
	}
	lab("600-7", "Blood culture", "1534601", func(o *fhir.Observation) {
		o.ValueString = "No growth at 5 days."
		o.ReferenceRange = []fhir.ObservationReferenceRange{{Text: "No growth"}}
	})
	lab("882-1", "ABO and Rh group", "1534602", func(o *fhir.Observation) {
		o.ValueCodeableConcept = ptr(cc(sysSNOMED, "278149003", "Blood group A Rh(D) positive"))
	})
	lab("2106-3", "Pregnancy test, urine", "1534603", func(o *fhir.Observation) {
		o.ValueBoolean = boolPtr(false)
		o.ReferenceRange = []fhir.ObservationReferenceRange{{Text: "Negative"}}
	})
	lab("93832-4", "Sleep duration, reported", "1534604", func(o *fhir.Observation) {
		o.ValueRange = &fhir.Range{Low: ucum(5, 0, "h"), High: ucum(7, 0, "h")}
	})
	lab("5048-4", "ANA titer", "1534605", func(o *fhir.Observation) {
		o.ValueRatio = &fhir.Ratio{Numerator: &fhir.Quantity{Value: jsonNumber("1")}, Denominator: &fhir.Quantity{Value: jsonNumber("160")}}
		o.ReferenceRange = []fhir.ObservationReferenceRange{{Text: "<1:40"}}
		o.Interpretation = []fhir.CodeableConcept{cc(sysInterp, "H", "High")}
	})
	lab("6598-7", "Troponin T", "1534606", func(o *fhir.Observation) {
		q := ucum(0.01, 2, "ng/mL")
		q.Comparator = "<"
		o.ValueQuantity = q
		o.ReferenceRange = []fhir.ObservationReferenceRange{{High: ucum(0.01, 2, "ng/mL"), Text: "<0.01 ng/mL"}}
	})
	lab("2823-3", "Potassium", "1534436", func(o *fhir.Observation) {
		o.ValueQuantity = ucum(6.8, 1, "mmol/L")
		o.ReferenceRange = referenceRange(panelBMP.analytes[1])
		o.Interpretation = []fhir.CodeableConcept{cc(sysInterp, "HH", "Critical high")}
	})
	lab("2951-2", "Sodium", "1534435", func(o *fhir.Observation) {
		o.ValueQuantity = ucum(118, 0, "mmol/L")
		o.ReferenceRange = referenceRange(panelBMP.analytes[0])
		o.Interpretation = []fhir.CodeableConcept{cc(sysInterp, "LL", "Critical low")}
	})
	lab("4548-4", "Hemoglobin A1C", "1558024", func(o *fhir.Observation) {
		o.ValueQuantity = &fhir.Quantity{Value: jsonNumber("5.1")} // no unit at all, like Camila's capture
	})
}

// addListed adds p's Patient and lists p in the sign-in page's directory with summary.
func (g *gen) addListed(p *person, summary string) {
	p.summary = summary
	g.st.addPatient(g.patientResource(p), nil)
	g.st.directory = append(g.st.directory, Listing{MRN: p.mrn, Name: p.fullName(), Summary: summary})
}

// addLapsedPatient adds a patient last seen 18 months ago, so every vital sign, lab result and
// encounter is older than the chart's default one-year windows: the chart must say older data is
// on record rather than look empty. It is added after the generated population, so adding it
// changed no other patient's data (the generator is one random sequence).
func (g *gen) addLapsedPatient() {
	p := g.randomPerson("400010")
	p.given, p.family, p.sex = []string{"Tomas"}, "Lindqvist", "male"
	g.addListed(p, "Last seen 18 months ago: every vital sign, lab result and encounter is older than a year")
	last := g.now.AddDate(0, -18, 0)
	g.history(p, last.AddDate(-3, 0, 0), last, 45, 2)
}

// addCorrectedResultsPatient adds a patient whose latest visit has results corrected the way labs
// and nurses correct them: a hemolysed potassium flagged high, entered in error and redrawn; a blood
// pressure typed wrong, entered in error after a correct one; a troponin cancelled before it was
// run; a hemoglobin amended after review; a culture still preliminary. The chart must keep each one
// visible and marked, and never treat an erroneous or cancelled result as the latest or as
// abnormal. It is added last, so adding it changed no other patient's data.
func (g *gen) addCorrectedResultsPatient() {
	p := g.randomPerson("400011")
	p.given, p.family, p.sex = []string{"Inês"}, "Carvalho", "female"
	g.addListed(p, "Corrected results: a potassium and a blood pressure entered in error, a cancelled troponin, an amended hemoglobin, a preliminary culture")
	g.history(p, g.now.AddDate(-2, 0, 0), g.now.AddDate(0, 0, -10), 60, 2)

	at := g.now.Add(-30 * time.Hour).Truncate(time.Minute)
	v := &visit{kind: visitED, start: at, end: at.Add(6 * time.Hour), id: g.fhirID('e', 22), csn: g.nextCSN(), label: "Hospital Encounter"}
	g.st.addEncounter(g.encounterResource(p, v), p.id, nil)
	g.vitalsFor(p, v, g.now)

	// The newest blood pressure is the wrong one: 212/128 typed for 122/78, then marked in error.
	bp := g.vitalObservation(p, v, at.Add(40*time.Minute), rowBP)
	bp.Status = "entered-in-error"
	bp.Component = []fhir.ObservationComponent{
		{Code: cc(sysLOINC, "8480-6", "Systolic blood pressure"), ObservationValue: fhir.ObservationValue{ValueQuantity: ucum(212, 0, "mm[Hg]")}},
		{Code: cc(sysLOINC, "8462-4", "Diastolic blood pressure"), ObservationValue: fhir.ObservationValue{ValueQuantity: ucum(128, 0, "mm[Hg]")}},
	}
	g.st.addObservation(bp, p.id, nil)

	order := &fhir.Reference{Reference: "ServiceRequest/" + g.fhirID('e', 40), Display: "Emergency labs"}
	specimen := &fhir.Reference{Reference: "Specimen/" + g.fhirID('e', 42), Display: "Specimen"}
	potassium, hemoglobin := panelBMP.analytes[1], panelCBC.analytes[1]
	lab := func(a analyte, after time.Duration, fill func(o *fhir.Observation)) {
		o := g.labObservation(p, v, at.Add(after), order, specimen, a)
		fill(&o)
		g.st.addObservation(o, p.id, nil)
	}
	lab(potassium, 30*time.Minute, func(o *fhir.Observation) {
		o.Status = "entered-in-error"
		o.ValueQuantity = ucum(6.9, 1, "mmol/L")
		o.ReferenceRange = referenceRange(potassium)
		o.Interpretation = []fhir.CodeableConcept{cc(sysInterp, "H", "High")}
		o.Note = []fhir.Annotation{{Text: "Specimen hemolyzed. Result entered in error; redraw requested."}}
	})
	lab(potassium, 2*time.Hour, func(o *fhir.Observation) {
		o.ValueQuantity = ucum(4.1, 1, "mmol/L")
		o.ReferenceRange = referenceRange(potassium)
	})
	lab(hemoglobin, 30*time.Minute, func(o *fhir.Observation) {
		o.Status = "amended"
		o.ValueQuantity = ucum(10.8, 1, "g/dL")
		o.ReferenceRange = referenceRange(hemoglobin)
		o.Interpretation = []fhir.CodeableConcept{cc(sysInterp, "L", "Low")}
		o.Note = []fhir.Annotation{{Text: "Amended after smear review; earlier report 8.1 g/dL."}}
	})
	lab(analyte{loinc: "6598-7", loincName: "Troponin T.cardiac [Mass/volume] in Serum or Plasma", epicCode: "1534606", text: "Troponin T"}, 30*time.Minute, func(o *fhir.Observation) {
		o.Status = "cancelled"
		o.DataAbsentReason = ptr(cc("http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-performed", "Not Performed"))
		o.Note = []fhir.Annotation{{Text: "Cancelled: duplicate order."}}
	})
	lab(analyte{loinc: "600-7", loincName: "Bacteria identified in Blood by Culture", epicCode: "1534601", text: "Blood culture"}, 45*time.Minute, func(o *fhir.Observation) {
		o.Status = "preliminary"
		o.ValueString = "No growth at 24 hours. Final report to follow."
	})
}
