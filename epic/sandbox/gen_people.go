package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// person is what the generator decides about a patient before writing resources.
type person struct {
	id, mrn  string
	given    []string
	family   string
	sex      string // female | male
	birth    fhir.Date
	deceased time.Time // zero: alive
	address  fhir.Address
	language string // BCP-47
	summary  string // for the sign-in directory

	// health profile driving the numbers
	hypertension, diabetes, ckd, anemia bool
	smoker                              string // never | former | current
	heightCM, weightKG                  float64
	systolic, diastolic, pulse          float64

	subject *fhir.Reference
}

// ref is the subject reference every resource of p shares.
func (p *person) ref() *fhir.Reference {
	if p.subject == nil {
		p.subject = ref("Patient", p.id, p.display())
	}
	return p.subject
}

// display is Epic's "Family, Given Middle" form used in references.
func (p *person) display() string { return p.family + ", " + strings.Join(p.given, " ") }

func (p *person) fullName() string { return strings.Join(p.given, " ") + " " + p.family }

var (
	givenFemale = []string{"Maria", "Aisha", "Emily", "Grace", "Hannah", "Ines", "Julia", "Keiko", "Laila", "Mei", "Nora", "Olga", "Priya", "Rosa", "Sofia", "Tamar", "Uma", "Valentina", "Wanjiru", "Yara", "Zoe", "Beatriz", "Chloe", "Dana"}
	givenMale   = []string{"Ahmed", "Ben", "Carlos", "David", "Elias", "Femi", "Gabriel", "Hiro", "Ivan", "James", "Kwame", "Luis", "Marco", "Nikolai", "Omar", "Pedro", "Quentin", "Rahul", "Samuel", "Tomas", "Victor", "William", "Xavier", "Yusuf"}
	middleNames = []string{"A", "Lee", "Marie", "J", "Ann", "Ray", "Grace", "Jose", "K"}
	familyNames = []string{"Garcia", "Nguyen", "Okafor", "Smith", "Johnson", "Patel", "Kim", "Hernandez", "Novak", "Haddad", "Schmidt", "Rossi", "Kowalski", "Tanaka", "Mensah", "Brown", "Cohen", "Silva", "Ivanova", "Murphy", "Larsen", "Dubois", "Chen", "Walker", "Abara", "Yilmaz"}
	streets     = []string{"Oak St", "Maple Ave", "W Johnson St", "Elm Dr", "Cedar Ln", "Main St", "Lakeview Blvd", "Park Pl", "Sunset Rd", "Hill St"}
	cities      = []struct{ city, county, zip string }{{"GARLAND", "DALLAS", "75043"}, {"DALLAS", "DALLAS", "75201"}, {"PLANO", "COLLIN", "75024"}, {"IRVING", "DALLAS", "75038"}, {"RICHARDSON", "DALLAS", "75080"}, {"MESQUITE", "DALLAS", "75149"}}
)

// randomPerson draws a plausible adult with a health profile.
func (g *gen) randomPerson(mrn string) *person {
	p := &person{id: g.fhirID('e', 22), mrn: mrn, smoker: "never", language: "en"}
	if g.chance(0.5) {
		p.sex, p.given = "female", []string{g.pick(givenFemale)}
	} else {
		p.sex, p.given = "male", []string{g.pick(givenMale)}
	}
	if g.chance(0.5) {
		p.given = append(p.given, g.pick(middleNames))
	}
	p.family = g.pick(familyNames)
	age := 18 + g.rng.IntN(72)
	born := g.now.AddDate(-age, -g.rng.IntN(12), -g.rng.IntN(28))
	p.birth = fhir.NewDate(born.Year(), born.Month(), born.Day())
	c := cities[g.rng.IntN(len(cities))]
	p.address = fhir.Address{
		Use: "home", Line: []string{fmt.Sprintf("%d %s", 100+g.rng.IntN(9800), g.pick(streets))},
		City: c.city, District: c.county, State: "TX", PostalCode: c.zip, Country: "US",
	}
	if g.chance(0.12) {
		p.language = "es"
	}
	older := float64(age) / 90
	p.hypertension = g.chance(0.15 + 0.4*older)
	p.diabetes = g.chance(0.08 + 0.25*older)
	p.ckd = g.chance(0.05 + 0.15*older)
	p.anemia = g.chance(0.08)
	switch r := g.rng.Float64(); {
	case r < 0.15:
		p.smoker = "current"
	case r < 0.35:
		p.smoker = "former"
	}
	if p.sex == "female" {
		p.heightCM = g.normal(163, 7)
	} else {
		p.heightCM = g.normal(177, 7)
	}
	bmi := g.normal(27, 5)
	if p.diabetes {
		bmi += 4
	}
	p.weightKG = bmi * (p.heightCM / 100) * (p.heightCM / 100)
	p.systolic, p.diastolic, p.pulse = g.normal(118, 8), g.normal(76, 6), g.normal(72, 8)
	if p.hypertension {
		p.systolic, p.diastolic = p.systolic+22, p.diastolic+10
	}
	return p
}

// patientResource writes a person the way Epic's sandbox writes Camila Lopez: the same identifier
// systems and types, official and usual names, Epic's sex extensions.
func (g *gen) patientResource(p *person) fhir.Patient {
	n := len(g.st.patients) + 1
	internal := fmt.Sprintf("Z%04d", 7000+n)
	ident := func(typ, system, value string) fhir.Identifier {
		return fhir.Identifier{Use: "usual", Type: &fhir.CodeableConcept{Text: typ}, System: system, Value: value}
	}
	name := fhir.HumanName{Text: p.fullName(), Family: p.family, Given: p.given}
	official, usual := name, name
	official.Use, usual.Use = "official", "usual"
	addr := p.address
	addr.Text = strings.Join(addr.Line, "\r\n") + "\r\n" + addr.City + " " + addr.State + " " + addr.PostalCode + "\r\nUnited States of America"
	sexCC := func() *fhir.CodeableConcept {
		c := cc("urn:oid:1.2.840.114350.1.13.0.1.7.10.698084.130.657370.19999000", p.sex, p.sex)
		c.Text = strings.ToUpper(p.sex[:1]) + p.sex[1:]
		return &c
	}
	lang := map[string]string{"en": "English", "es": "Spanish", "ar": "Arabic", "zh": "Chinese"}[p.language]
	pt := fhir.Patient{
		ResourceType: "Patient",
		ID:           p.id,
		Extension: []fhir.Extension{
			{URL: "http://open.epic.com/FHIR/StructureDefinition/extension/legal-sex", ValueCodeableConcept: sexCC()},
			{URL: "http://open.epic.com/FHIR/StructureDefinition/extension/sex-for-clinical-use", ValueCodeableConcept: sexCC()},
		},
		Identifier: []fhir.Identifier{
			ident("CEID", "urn:oid:1.2.840.114350.1.13.0.1.7.3.688884.100", fmt.Sprintf("FHRGEN%09d", n)),
			ident("EPIC", "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.0", fmt.Sprintf("E%d", 6000+n)),
			ident("FHIR STU3", "http://open.epic.com/FHIR/StructureDefinition/patient-fhir-id", p.id),
			ident("INTERNAL", "urn:oid:1.2.840.114350.1.13.0.1.7.2.698084", "     "+internal),
			ident("EPI", MRNSystem, p.mrn),
		},
		Active:    boolPtr(true),
		Name:      []fhir.HumanName{official, usual},
		Telecom:   []fhir.ContactPoint{{System: "phone", Value: fmt.Sprintf("+1 469-555-%04d", g.rng.IntN(10000)), Use: "home", Rank: 1}},
		Gender:    p.sex,
		BirthDate: p.birth,
		Address:   []fhir.Address{addr},
		Contact: []fhir.PatientContact{{
			Relationship: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0131", Code: "C", Display: "Emergency Contact"}}}},
			Name:         &fhir.HumanName{Use: "usual", Text: g.pick(givenFemale) + " " + p.family},
			Telecom:      []fhir.ContactPoint{{System: "phone", Value: fmt.Sprintf("469-555-%04d", g.rng.IntN(10000)), Use: "temp"}},
			Address:      &fhir.Address{Use: "home", Line: p.address.Line, City: p.address.City, District: p.address.District, State: p.address.State, PostalCode: p.address.PostalCode, Country: p.address.Country},
		}},
		Communication: []fhir.PatientCommunication{{
			Language:  fhir.CodeableConcept{Coding: []fhir.Coding{{System: "urn:ietf:bcp:47", Code: p.language, Display: lang}}, Text: lang},
			Preferred: boolPtr(true),
		}},
		GeneralPractitioner:  []fhir.Reference{{Reference: "Practitioner/eM5CWtq15N0WJeuCet5bJlQ3", Type: "Practitioner", Display: "Physician Family Medicine, MD"}},
		ManagingOrganization: &fhir.Reference{Reference: epicHospital, Display: epicHospitalTxt},
	}
	if p.deceased.IsZero() {
		pt.DeceasedBoolean = boolPtr(false)
	} else {
		d := dt(p.deceased)
		pt.DeceasedDateTime = &d
	}
	return pt
}
