package fhir

import (
	"encoding/json"
	"time"
)

// Patient is the FHIR R4 Patient as Epic returns it.
type Patient struct {
	ResourceType         string                 `json:"resourceType"`
	ID                   string                 `json:"id,omitempty"`
	Extension            []Extension            `json:"extension,omitempty"`
	Identifier           []Identifier           `json:"identifier,omitempty"`
	Active               *bool                  `json:"active,omitempty"`
	Name                 []HumanName            `json:"name,omitempty"`
	Telecom              []ContactPoint         `json:"telecom,omitempty"`
	Gender               string                 `json:"gender,omitempty"`
	BirthDate            Date                   `json:"birthDate,omitzero"`
	DeceasedBoolean      *bool                  `json:"deceasedBoolean,omitempty"`
	DeceasedDateTime     *DateTime              `json:"deceasedDateTime,omitempty"`
	Address              []Address              `json:"address,omitempty"`
	MaritalStatus        *CodeableConcept       `json:"maritalStatus,omitempty"`
	Contact              []PatientContact       `json:"contact,omitempty"`
	Communication        []PatientCommunication `json:"communication,omitempty"`
	GeneralPractitioner  []Reference            `json:"generalPractitioner,omitempty"`
	ManagingOrganization *Reference             `json:"managingOrganization,omitempty"`
}

// PatientContact is an emergency contact, guardian and so on.
type PatientContact struct {
	Relationship []CodeableConcept `json:"relationship,omitempty"`
	Name         *HumanName        `json:"name,omitempty"`
	Telecom      []ContactPoint    `json:"telecom,omitempty"`
	Address      *Address          `json:"address,omitempty"`
	Gender       string            `json:"gender,omitempty"`
	Organization *Reference        `json:"organization,omitempty"`
	Period       *Period           `json:"period,omitempty"`
}

// PatientCommunication is a language the patient uses.
type PatientCommunication struct {
	Extension []Extension     `json:"extension,omitempty"`
	Language  CodeableConcept `json:"language"`
	Preferred *bool           `json:"preferred,omitempty"`
	// PreferredExt holds Epic's primitive extension on "preferred" (JSON "_preferred").
	PreferredExt *Element `json:"_preferred,omitempty"`
}

// MarshalJSON always writes resourceType "Patient".
func (p Patient) MarshalJSON() ([]byte, error) {
	type plain Patient
	v := plain(p)
	v.ResourceType = "Patient"
	return json.Marshal(v)
}

// IdentifierValue returns the value of the first identifier in system.
func (p Patient) IdentifierValue(system string) (string, bool) {
	for _, id := range p.Identifier {
		if id.System == system {
			return id.Value, true
		}
	}
	return "", false
}

// IdentifierByType returns the value of the first identifier whose type text or a type code
// equals typ (Epic ID types such as "MRN", "EPI", "CEID").
func (p Patient) IdentifierByType(typ string) (string, bool) {
	for _, id := range p.Identifier {
		if id.Type == nil {
			continue
		}
		if id.Type.Text == typ || id.Type.HasCode("", typ) {
			return id.Value, true
		}
	}
	return "", false
}

// OfficialNameAt returns the patient's name at now: the first name in effect (Period.InEffectAt,
// with loc giving the clinic's today) with use "official", else "usual", else any name in effect
// that is not "old" or "maiden", else the first. A previous legal name is sent with an ended
// period (or as use "old", as Epic does), and showing it would name the patient wrongly; a name
// whose period starts after today (a name change registered ahead) is not yet the patient's.
func (p Patient) OfficialNameAt(now time.Time, loc *time.Location) (HumanName, bool) {
	for _, use := range []string{"official", "usual"} {
		for _, n := range p.Name {
			if n.Use == use && n.Period.InEffectAt(now, loc) {
				return n, true
			}
		}
	}
	for _, n := range p.Name {
		if n.Use != "old" && n.Use != "maiden" && n.Period.InEffectAt(now, loc) {
			return n, true
		}
	}
	if len(p.Name) > 0 {
		return p.Name[0], true
	}
	return HumanName{}, false
}
