package fhir

import "encoding/json"

// Encounter is the FHIR R4 Encounter as Epic returns it. Epic's class is a single Coding in an
// Epic OID system, not a v3 ActCode.
type Encounter struct {
	ResourceType    string                    `json:"resourceType"`
	ID              string                    `json:"id,omitempty"`
	Extension       []Extension               `json:"extension,omitempty"`
	Identifier      []Identifier              `json:"identifier,omitempty"`
	Status          string                    `json:"status,omitempty"`
	Class           *Coding                   `json:"class,omitempty"`
	Type            []CodeableConcept         `json:"type,omitempty"`
	ServiceType     *CodeableConcept          `json:"serviceType,omitempty"`
	Priority        *CodeableConcept          `json:"priority,omitempty"`
	Subject         *Reference                `json:"subject,omitempty"`
	Participant     []EncounterParticipant    `json:"participant,omitempty"`
	Period          *Period                   `json:"period,omitempty"`
	ReasonCode      []CodeableConcept         `json:"reasonCode,omitempty"`
	Account         []Reference               `json:"account,omitempty"`
	Hospitalization *EncounterHospitalization `json:"hospitalization,omitempty"`
	Location        []EncounterLocation       `json:"location,omitempty"`
	ServiceProvider *Reference                `json:"serviceProvider,omitempty"`
	PartOf          *Reference                `json:"partOf,omitempty"`
}

// EncounterParticipant is a clinician involved in the encounter (Epic's treatment team).
type EncounterParticipant struct {
	Extension  []Extension       `json:"extension,omitempty"`
	Type       []CodeableConcept `json:"type,omitempty"`
	Period     *Period           `json:"period,omitempty"`
	Individual *Reference        `json:"individual,omitempty"`
}

// EncounterHospitalization holds admission details; Epic often sends only extensions.
type EncounterHospitalization struct {
	Extension            []Extension      `json:"extension,omitempty"`
	AdmitSource          *CodeableConcept `json:"admitSource,omitempty"`
	DischargeDisposition *CodeableConcept `json:"dischargeDisposition,omitempty"`
}

// EncounterLocation is a place the patient was during the encounter.
type EncounterLocation struct {
	Location Reference `json:"location"`
	Status   string    `json:"status,omitempty"`
	Period   *Period   `json:"period,omitempty"`
}

// MarshalJSON always writes resourceType "Encounter".
func (e Encounter) MarshalJSON() ([]byte, error) {
	type plain Encounter
	v := plain(e)
	v.ResourceType = "Encounter"
	return json.Marshal(v)
}
