package sandbox

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// Epic systems and references shared by generated resources (values as in the captures).
const (
	sysCSN          = "urn:oid:1.2.840.114350.1.13.0.1.7.3.698084.8"
	sysEncClass     = "urn:oid:1.2.840.114350.1.72.1.7.7.10.696784.13260"
	sysEncType      = "urn:oid:1.2.840.114350.1.13.0.1.7.10.698084.30"
	sysEncSubType   = "urn:oid:1.2.840.114350.1.13.0.1.7.10.698084.10110"
	sysServiceType  = "urn:oid:1.2.840.114350.1.13.0.1.7.10.698084.18886"
	sysParticipType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	sysAccount      = "urn:oid:1.2.840.114350.1.13.0.1.7.2.726582"
	sysObsCategory  = "http://terminology.hl7.org/CodeSystem/observation-category"
	sysEpicLabCat   = "urn:oid:1.2.840.114350.1.13.0.1.7.10.798268.30"
	sysLabComponent = "urn:oid:1.2.840.114350.1.13.0.1.7.2.768282"
	sysFlowsheetRow = "urn:oid:1.2.840.114350.1.13.0.1.7.2.707679"
	sysFlowsheetID  = "http://open.epic.com/FHIR/StructureDefinition/observation-flowsheet-id"
	sysLOINCAlt     = "urn:oid:1.2.246.537.6.96"
	sysLOINC        = "http://loinc.org"
	sysSNOMED       = "http://snomed.info/sct"
	sysUCUM         = "http://unitsofmeasure.org"
	sysInterp       = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	extTemplateID   = "http://open.epic.com/FHIR/StructureDefinition/extension/template-id"
	sysTemplateID   = "urn:oid:1.2.840.114350.1.13.0.1.7.2.707684"
	epicHospital    = "Organization/enRyWnSP963FYDpoks4NHOA3"
	epicHospitalTxt = "Epic Hospital System"
)

// gen is the deterministic data generator: everything random comes from rng, everything dated is
// relative to now, so a seed always yields the same population and it always looks recent.
type gen struct {
	rng *rand.Rand
	now time.Time
	st  *store
	csn int

	// Shared read-only pieces: thousands of observations point at the same slices instead of each
	// allocating its own, which keeps start-up well under a second.
	rowCodes  map[string]fhir.CodeableConcept
	vitalCat  []fhir.CodeableConcept
	labCat    []fhir.CodeableConcept
	template  []fhir.Extension
	performer []fhir.Reference
	ranges    map[string][]fhir.ObservationReferenceRange
}

func newGen(seed int64, now time.Time, st *store) *gen {
	return &gen{
		rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed_c4a7)), now: now.UTC().Truncate(time.Second), st: st, csn: 31000,
		rowCodes:  map[string]fhir.CodeableConcept{},
		ranges:    map[string][]fhir.ObservationReferenceRange{},
		vitalCat:  []fhir.CodeableConcept{cc(sysObsCategory, "vital-signs", "Vital Signs")},
		labCat:    []fhir.CodeableConcept{cc(sysObsCategory, "laboratory", "Laboratory"), cc(sysEpicLabCat, "Lab", "Lab")},
		template:  []fhir.Extension{{URL: extTemplateID, ValueIdentifier: &fhir.Identifier{System: sysTemplateID, Value: "17006"}}},
		performer: []fhir.Reference{{Reference: "Practitioner/" + nurse.id, Display: nurse.display}},
	}
}

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-"

// fhirID makes an Epic-looking FHIR id: a prefix letter, n opaque characters and a trailing digit.
func (g *gen) fhirID(prefix byte, n int) string {
	b := make([]byte, n+2)
	b[0], b[n+1] = prefix, '3'
	var bits uint64
	for i := 1; i <= n; i++ {
		if (i-1)%10 == 0 {
			bits = g.rng.Uint64()
		}
		b[i] = idChars[bits&63] // 64 characters: six bits each, ten per draw
		bits >>= 6
	}
	return string(b)
}

func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// normal draws from N(mean, sd).
func (g *gen) normal(mean, sd float64) float64 { return mean + sd*g.rng.NormFloat64() }

func (g *gen) nextCSN() string {
	g.csn++
	return strconv.Itoa(g.csn)
}

// decimal renders v with the given number of decimals as a JSON number, keeping the precision a lab
// reports (5.10 stays "5.1", 140 stays "140").
func decimal(v float64, decimals int) fhir.Quantity {
	p := math.Pow(10, float64(decimals))
	v = math.Round(v*p) / p
	return fhir.Quantity{Value: jsonNumber(strconv.FormatFloat(v, 'f', -1, 64))}
}

func ucum(v float64, decimals int, unit string) *fhir.Quantity {
	q := decimal(v, decimals)
	q.Unit, q.System, q.Code = unit, sysUCUM, unit
	return &q
}

func cc(system, code, display string) fhir.CodeableConcept {
	return fhir.CodeableConcept{Coding: []fhir.Coding{{System: system, Code: code, Display: display}}, Text: display}
}

func ref(typ, id, display string) *fhir.Reference {
	return &fhir.Reference{Reference: typ + "/" + id, Display: display}
}

func dt(t time.Time) fhir.DateTime { return fhir.NewDateTime(t.UTC()) }

func dateOnly(t time.Time) fhir.DateTime {
	d, _ := fhir.ParseDateTime(t.UTC().Format(time.DateOnly))
	return d
}

func boolPtr(b bool) *bool { return &b }
