package sandbox

import (
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// vitalRow is one Epic flowsheet row with its codings, in the order the vitals capture lists them:
// flowsheet row, encoded flowsheet id, LOINC under Epic's OID, LOINC, the vital-signs panel.
type vitalRow struct {
	row, flowID, text string
	loinc             []fhir.Coding
	unit              string
	decimals          int
}

var (
	rowBP     = vitalRow{row: "5", flowID: "tBdNYepLeojPG60x7nUx9kQ0", text: "BP"}
	rowPulse  = vitalRow{"8", "t0nle2B9NVDaJJUDo0FtQrA0", "Pulse", []fhir.Coding{{System: sysLOINC, Code: "8867-4", Display: "Heart rate"}}, "/min", 0}
	rowTemp   = vitalRow{"6", "tvdinindxnlKvaoAecyilRA0", "Temp", []fhir.Coding{{System: sysLOINC, Code: "8310-5", Display: "Body temperature"}}, "Cel", 1}
	rowResp   = vitalRow{"9", "tq3FAd2mP1rxL0Kz8Hb4WeQ0", "Resp", []fhir.Coding{{System: sysLOINC, Code: "9279-1", Display: "Respiratory rate"}}, "/min", 0}
	rowSpO2   = vitalRow{"10", "tYj2P8sWcN5eHb7uLq1XoRg0", "SpO2", []fhir.Coding{{System: sysLOINC, Code: "59408-5", Display: "Oxygen saturation in Arterial blood by Pulse oximetry"}, {System: sysLOINC, Code: "2708-6", Display: "Oxygen saturation in Arterial blood"}}, "%", 0}
	rowWeight = vitalRow{"14", "tX9rE8TgbEPXWpgEX7kuaoQ0", "Weight", []fhir.Coding{{System: sysLOINC, Code: "29463-7", Display: "Body weight"}, {System: sysLOINC, Code: "3141-9", Display: "Body weight Measured"}}, "kg", 1}
	rowHeight = vitalRow{"11", "tkgg8UmEMvovrM.sHkZKrAQ0", "Height", []fhir.Coding{{System: sysLOINC, Code: "8302-2", Display: "Body height"}}, "cm", 1}
	rowBMI    = vitalRow{"301070", "tB5MiXz2Qe8Rk4Vn7Lp0WsA0", "BMI", []fhir.Coding{{System: sysLOINC, Code: "39156-5", Display: "Body mass index (BMI) [Ratio]"}}, "kg/m2", 2}
)

func (r vitalRow) code() fhir.CodeableConcept {
	c := fhir.CodeableConcept{Text: r.text, Coding: []fhir.Coding{
		{System: sysFlowsheetRow, Code: r.row, Display: r.text},
		{System: sysFlowsheetID, Code: r.flowID, Display: r.text},
	}}
	if r.row == rowBP.row {
		c.Coding = append(c.Coding,
			fhir.Coding{System: sysLOINCAlt, Code: "8462-4"}, fhir.Coding{System: sysLOINCAlt, Code: "8480-6"},
			fhir.Coding{System: sysLOINC, Code: "55284-4", Display: "Blood pressure systolic and diastolic"},
			fhir.Coding{System: sysLOINC, Code: "85354-9", Display: "Blood pressure panel with all children optional"})
	} else {
		c.Coding = append(c.Coding, fhir.Coding{System: sysLOINCAlt, Code: r.loinc[0].Code})
		c.Coding = append(c.Coding, r.loinc...)
	}
	c.Coding = append(c.Coding, fhir.Coding{System: sysLOINC, Code: "8716-3", Display: "Vital signs"})
	return c
}

func (g *gen) vitalObservation(p *person, v *visit, at time.Time, row vitalRow) fhir.Observation {
	code, ok := g.rowCodes[row.row]
	if !ok {
		code = row.code()
		g.rowCodes[row.row] = code
	}
	when := dt(at)
	return fhir.Observation{
		ResourceType:      "Observation",
		ID:                g.fhirID('f', 43),
		Extension:         g.template,
		Status:            "final",
		Category:          g.vitalCat,
		Code:              code,
		Subject:           p.ref(),
		Encounter:         v.ref(),
		EffectiveDateTime: when,
		Issued:            when,
		Performer:         g.performer,
	}
}

func (g *gen) addVital(p *person, v *visit, at time.Time, row vitalRow, value float64) {
	o := g.vitalObservation(p, v, at, row)
	o.ValueQuantity = ucum(value, row.decimals, row.unit)
	g.st.addObservation(o, p.id, nil)
}

// vitalsFor records a set of vitals at the start of v, and every few hours of an inpatient stay.
// Values follow the person's baselines with noise and, now and then, a clearly abnormal reading.
func (g *gen) vitalsFor(p *person, v *visit, until time.Time) {
	times := []time.Time{v.start.Add(10 * time.Minute)}
	if v.kind == visitInpatient {
		end := v.end
		if end.IsZero() {
			end = until
		}
		for t := v.start.Add(6 * time.Hour); t.Before(end); t = t.Add(time.Duration(6+g.rng.IntN(5)) * time.Hour) {
			times = append(times, t)
		}
	}
	sick := v.kind == visitED || v.kind == visitInpatient
	for i, at := range times {
		sys, dia := g.normal(p.systolic, 7), g.normal(p.diastolic, 5)
		pulse, temp, resp, spo2 := g.normal(p.pulse, 6), g.normal(36.8, 0.25), g.normal(15, 2), g.normal(97.5, 1)
		if sick && g.chance(0.35) {
			temp, pulse, resp = g.normal(38.8, 0.5), pulse+25, resp+6
		}
		if g.chance(0.04) {
			sys, dia = sys+45, dia+20 // hypertensive urgency
		}
		if sick && g.chance(0.08) {
			sys, dia, spo2 = 84, 48, g.normal(88, 2) // hypotension and desaturation
		}
		bp := g.vitalObservation(p, v, at, rowBP)
		bp.Component = []fhir.ObservationComponent{
			{Code: cc(sysLOINC, "8480-6", "Systolic blood pressure"), ObservationValue: fhir.ObservationValue{ValueQuantity: ucum(sys, 0, "mm[Hg]")}},
			{Code: cc(sysLOINC, "8462-4", "Diastolic blood pressure"), ObservationValue: fhir.ObservationValue{ValueQuantity: ucum(dia, 0, "mm[Hg]")}},
		}
		g.st.addObservation(bp, p.id, nil)
		g.addVital(p, v, at, rowPulse, pulse)
		g.addVital(p, v, at, rowTemp, temp)
		g.addVital(p, v, at, rowResp, resp)
		g.addVital(p, v, at, rowSpO2, min(spo2, 100))
		if i == 0 && v.kind != visitED {
			w := g.normal(p.weightKG, 0.4)
			g.addVital(p, v, at, rowWeight, w)
			if g.chance(0.3) {
				g.addVital(p, v, at, rowHeight, p.heightCM)
			}
			h := p.heightCM / 100
			g.addVital(p, v, at, rowBMI, w/(h*h))
		}
	}
}
