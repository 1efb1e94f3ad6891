package sandbox

import (
	"fmt"
	"math"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// analyte is one lab component: LOINC and Epic component codes, UCUM unit, reference range and
// critical limits (zero: none), and the population mean and spread the generator draws from.
type analyte struct {
	loinc, loincName, epicCode, text, unit string
	low, high, critLow, critHigh           float64
	rangeText                              string // when set, the range is text-only or one-sided
	mean, sd                               float64
	decimals                               int
}

// forSex is a for a patient of the given sex, and the key its reference range is kept under:
// hemoglobin and hematocrit have their own male ranges, as labs report them.
func (a analyte) forSex(sex string) (analyte, string) {
	if sex == "male" {
		switch a.text {
		case "Hemoglobin":
			a.low, a.high = 13.5, 17.5
			return a, a.loinc + "|male"
		case "Hematocrit":
			a.low, a.high = 41, 53
			return a, a.loinc + "|male"
		}
	}
	return a, a.loinc
}

// roundTo rounds v to the given number of decimals, as the value is reported.
func roundTo(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

type panel struct {
	name     string
	analytes []analyte
}

var (
	panelCBC = panel{"CBC and differential", []analyte{
		{"6690-2", "Leukocytes [#/volume] in Blood by Automated count", "1577876", "WBC", "10*3/uL", 4, 11, 1, 30, "", 7, 1.8, 1},
		{"718-7", "Hemoglobin [Mass/volume] in Blood", "1558101", "Hemoglobin", "g/dL", 12, 16, 7, 20, "", 14, 1.1, 1},
		{"4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "1558102", "Hematocrit", "%", 36, 46, 21, 60, "", 42, 3, 1},
		{"777-3", "Platelets [#/volume] in Blood by Automated count", "1577116", "Platelets", "10*3/uL", 150, 399, 50, 1000, "", 260, 55, 0},
	}}
	panelBMP = panel{"Basic metabolic panel", []analyte{
		{"2951-2", "Sodium [Moles/volume] in Serum or Plasma", "1534435", "Sodium", "mmol/L", 135, 145, 120, 160, "", 140, 2.5, 0},
		{"2823-3", "Potassium [Moles/volume] in Serum or Plasma", "1534436", "Potassium", "mmol/L", 3.5, 5.1, 2.8, 6.2, "", 4.2, 0.35, 1},
		{"2075-0", "Chloride [Moles/volume] in Serum or Plasma", "1534437", "Chloride", "mmol/L", 98, 107, 0, 0, "", 102, 2.5, 0},
		{"2028-9", "Carbon dioxide, total [Moles/volume] in Serum or Plasma", "1534438", "CO2", "mmol/L", 22, 29, 0, 0, "", 25, 2, 0},
		{"3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "1534439", "BUN", "mg/dL", 7, 20, 0, 0, "", 14, 4, 0},
		{"2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "1534440", "Creatinine", "mg/dL", 0.6, 1.2, 0, 0, "", 0.9, 0.15, 2},
		{"2345-7", "Glucose [Mass/volume] in Serum or Plasma", "1534441", "Glucose", "mg/dL", 70, 99, 40, 400, "", 92, 10, 0},
		{"17861-6", "Calcium [Mass/volume] in Serum or Plasma", "1534442", "Calcium", "mg/dL", 8.5, 10.2, 6, 13, "", 9.4, 0.35, 1},
	}}
	panelLipid = panel{"Lipid panel", []analyte{
		{"2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "1534443", "Cholesterol", "mg/dL", 0, 200, 0, 0, "<200 mg/dL", 185, 30, 0},
		{"2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "1534444", "Triglycerides", "mg/dL", 0, 150, 0, 0, "<150 mg/dL", 130, 45, 0},
		{"2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "1534445", "HDL", "mg/dL", 40, 0, 0, 0, ">40 mg/dL", 52, 12, 0},
		{"13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", "1534446", "LDL Calculated", "mg/dL", 0, 100, 0, 0, "<100 mg/dL", 108, 28, 0},
	}}
	panelA1c = panel{"Hemoglobin A1c", []analyte{
		{"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "1558024", "Hemoglobin A1C", "%", 4, 5.6, 0, 0, "", 5.3, 0.3, 1},
	}}
)

// shift moves a person's expected value for conditions they have.
func (p *person) shift(a analyte) float64 {
	switch {
	case p.diabetes && (a.text == "Glucose"):
		return 45
	case p.diabetes && a.text == "Hemoglobin A1C":
		return 2.3
	case p.ckd && a.text == "Creatinine":
		return 1.0
	case p.ckd && a.text == "BUN":
		return 14
	case p.ckd && a.text == "Potassium":
		return 0.5
	case p.anemia && (a.text == "Hemoglobin"):
		return -3.5
	case p.anemia && (a.text == "Hematocrit"):
		return -10
	case p.sex == "male" && a.text == "Hemoglobin":
		return 1.2
	case p.sex == "male" && a.text == "Hematocrit":
		return 3
	}
	return 0
}

// labsFor draws the panels a clinician would order for v: BMP and CBC for acute visits and routine
// checks, lipids and HbA1c on annual ones (HbA1c at every check for people with diabetes).
func (g *gen) labsFor(p *person, v *visit, until time.Time, annual bool) {
	at := v.start.Add(time.Duration(20+g.rng.IntN(60)) * time.Minute)
	if at.After(until) {
		return
	}
	panels := []panel{panelBMP}
	if v.kind != visitOffice || g.chance(0.5) {
		panels = append(panels, panelCBC)
	}
	if annual {
		panels = append(panels, panelLipid)
	}
	if annual || p.diabetes {
		panels = append(panels, panelA1c)
	}
	if g.chance(0.2) {
		panels = append(panels, panelUA)
	}
	for _, pn := range panels {
		order := &fhir.Reference{Reference: "ServiceRequest/" + g.fhirID('e', 40), Display: pn.name}
		specimen := &fhir.Reference{Reference: "Specimen/" + g.fhirID('e', 42), Display: "Specimen"}
		for _, a := range pn.analytes {
			a, rangeKey := a.forSex(p.sex)
			o := g.labObservation(p, v, at, order, specimen, a)
			if a.unit == "" && a.mean == 0 {
				g.textResult(&o, a)
			} else {
				value := g.normal(a.mean+p.shift(a), a.sd)
				if g.chance(0.03) {
					sign := float64(2*g.rng.IntN(2) - 1)
					if a.low == 0 {
						sign = 1 // a test with only an upper limit (lipids) is abnormal only when high
					}
					value = a.mean + p.shift(a) + sign*a.sd*5 // a flagrant outlier
				}
				// Never zero or below (a platelet count of 0 reads as a generator bug), and
				// flagged as reported: a CO2 of 21.6 shown as 22 must not be flagged low.
				value = roundTo(max(value, a.mean/10), a.decimals)
				q := decimal(value, a.decimals)
				o.ValueQuantity = &fhir.Quantity{Value: q.Value, Unit: a.unit, System: sysUCUM, Code: a.unit}
				rr, ok := g.ranges[rangeKey]
				if !ok {
					rr = referenceRange(a)
					g.ranges[rangeKey] = rr
				}
				o.ReferenceRange = rr
				if flag := interpretation(a, value); flag != nil {
					o.Interpretation = []fhir.CodeableConcept{*flag}
				}
			}
			g.st.addObservation(o, p.id, nil)
		}
	}
}

func (g *gen) labObservation(p *person, v *visit, at time.Time, order, specimen *fhir.Reference, a analyte) fhir.Observation {
	code := fhir.CodeableConcept{Text: a.text, Coding: []fhir.Coding{
		{System: sysLOINC, Code: a.loinc, Display: a.loincName},
		{System: sysLabComponent, Code: a.epicCode, Display: a.text},
	}}
	return fhir.Observation{
		ResourceType:      "Observation",
		ID:                g.fhirID('f', 43),
		BasedOn:           []fhir.Reference{*order},
		Status:            "final",
		Category:          g.labCat,
		Code:              code,
		Subject:           p.ref(),
		Encounter:         v.ref(),
		EffectiveDateTime: dt(at),
		Issued:            dt(at.Add(time.Duration(30+g.rng.IntN(240)) * time.Minute)),
		Specimen:          specimen,
	}
}

func referenceRange(a analyte) []fhir.ObservationReferenceRange {
	rr := fhir.ObservationReferenceRange{Text: a.rangeText}
	if a.low > 0 {
		rr.Low = ucum(a.low, a.decimals, a.unit)
	}
	if a.high > 0 {
		rr.High = ucum(a.high, a.decimals, a.unit)
	}
	if rr.Text == "" {
		rr.Text = fmt.Sprintf("%s - %s %s", fmtDec(a.low, a.decimals), fmtDec(a.high, a.decimals), a.unit)
	}
	return []fhir.ObservationReferenceRange{rr}
}

func fmtDec(v float64, decimals int) string { return fmt.Sprintf("%.*f", decimals, v) }

// interpretation flags a value the way a lab system does: HH/LL past critical limits, H/L outside the
// reference range, nothing when normal.
func interpretation(a analyte, v float64) *fhir.CodeableConcept {
	var code, text string
	switch {
	case a.critHigh > 0 && v >= a.critHigh:
		code, text = "HH", "Critical high"
	case a.critLow > 0 && v <= a.critLow:
		code, text = "LL", "Critical low"
	case a.high > 0 && v > a.high:
		code, text = "H", "High"
	case a.low > 0 && v < a.low:
		code, text = "L", "Low"
	default:
		return nil
	}
	c := cc(sysInterp, code, text)
	return &c
}
