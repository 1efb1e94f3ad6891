package sandbox

import "github.com/chartside/chartside/epic/fhir"

// panelUA is a urinalysis: the results are words, not numbers, and the reference ranges are text only.
var panelUA = panel{"Urinalysis with microscopic", []analyte{
	{loinc: "5778-6", loincName: "Color of Urine", epicCode: "1534501", text: "Color, UA", rangeText: "Yellow"},
	{loinc: "5767-9", loincName: "Appearance of Urine", epicCode: "1534502", text: "Clarity, UA", rangeText: "Clear"},
	{loinc: "20454-5", loincName: "Protein [Presence] in Urine by Test strip", epicCode: "1534503", text: "Protein, UA", rangeText: "Negative"},
	{loinc: "25428-4", loincName: "Glucose [Presence] in Urine by Test strip", epicCode: "1534504", text: "Glucose, UA", rangeText: "Negative"},
}}

// textResult fills a non-numeric result: free text for color and clarity, a coded finding for the
// dipstick tests (positive now and then, flagged abnormal).
func (g *gen) textResult(o *fhir.Observation, a analyte) {
	o.ReferenceRange = []fhir.ObservationReferenceRange{{Text: a.rangeText}}
	switch a.loinc {
	case "5778-6":
		o.ValueString = g.pick([]string{"Yellow", "Yellow", "Straw", "Amber"})
	case "5767-9":
		o.ValueString = g.pick([]string{"Clear", "Clear", "Clear", "Cloudy"})
	default:
		if g.chance(0.1) {
			v := cc(sysSNOMED, "10828004", "Positive")
			o.ValueCodeableConcept = &v
			o.Interpretation = []fhir.CodeableConcept{cc(sysInterp, "A", "Abnormal")}
			return
		}
		v := cc(sysSNOMED, "260385009", "Negative")
		o.ValueCodeableConcept = &v
	}
}
