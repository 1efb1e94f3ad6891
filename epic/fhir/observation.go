package fhir

import "encoding/json"

// Observation category codes (http://terminology.hl7.org/CodeSystem/observation-category) that
// Chartside searches by default.
const (
	CategoryVitalSigns    = "vital-signs"
	CategoryLaboratory    = "laboratory"
	CategorySocialHistory = "social-history"
)

// Observation is the FHIR R4 Observation: vitals, lab results, social history. Blood pressure
// arrives as one Observation with systolic/diastolic components.
type Observation struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Extension    []Extension       `json:"extension,omitempty"`
	Identifier   []Identifier      `json:"identifier,omitempty"`
	BasedOn      []Reference       `json:"basedOn,omitempty"`
	Status       string            `json:"status,omitempty"`
	Category     []CodeableConcept `json:"category,omitempty"`
	Code         CodeableConcept   `json:"code"`
	Subject      *Reference        `json:"subject,omitempty"`
	Encounter    *Reference        `json:"encounter,omitempty"`

	EffectiveDateTime DateTime        `json:"effectiveDateTime,omitzero"`
	EffectivePeriod   *Period         `json:"effectivePeriod,omitempty"`
	EffectiveInstant  DateTime        `json:"effectiveInstant,omitzero"`
	EffectiveTiming   json.RawMessage `json:"effectiveTiming,omitempty"` // kept, not interpreted

	Issued    DateTime    `json:"issued,omitzero"`
	Performer []Reference `json:"performer,omitempty"`

	ObservationValue

	DataAbsentReason *CodeableConcept            `json:"dataAbsentReason,omitempty"`
	Interpretation   []CodeableConcept           `json:"interpretation,omitempty"`
	Note             []Annotation                `json:"note,omitempty"`
	BodySite         *CodeableConcept            `json:"bodySite,omitempty"`
	Method           *CodeableConcept            `json:"method,omitempty"`
	Specimen         *Reference                  `json:"specimen,omitempty"`
	ReferenceRange   []ObservationReferenceRange `json:"referenceRange,omitempty"`
	HasMember        []Reference                 `json:"hasMember,omitempty"`
	DerivedFrom      []Reference                 `json:"derivedFrom,omitempty"`
	Component        []ObservationComponent      `json:"component,omitempty"`
}

// ObservationValue is the value[x] choice shared by Observation and its components; at most one
// field is set. Its fields are promoted, so obs.ValueQuantity works directly.
type ObservationValue struct {
	ValueQuantity        *Quantity        `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueString          string           `json:"valueString,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueInteger         *int             `json:"valueInteger,omitempty"`
	ValueRange           *Range           `json:"valueRange,omitempty"`
	ValueRatio           *Ratio           `json:"valueRatio,omitempty"`
	ValueSampledData     json.RawMessage  `json:"valueSampledData,omitempty"` // kept, not interpreted
	ValueTime            string           `json:"valueTime,omitempty"`        // "hh:mm:ss", no zone
	ValueDateTime        DateTime         `json:"valueDateTime,omitzero"`
	ValuePeriod          *Period          `json:"valuePeriod,omitempty"`
}

// Value kinds returned by ObservationValue.Kind.
const (
	ValueKindNone            = ""
	ValueKindQuantity        = "Quantity"
	ValueKindCodeableConcept = "CodeableConcept"
	ValueKindString          = "string"
	ValueKindBoolean         = "boolean"
	ValueKindInteger         = "integer"
	ValueKindRange           = "Range"
	ValueKindRatio           = "Ratio"
	ValueKindSampledData     = "SampledData"
	ValueKindTime            = "time"
	ValueKindDateTime        = "dateTime"
	ValueKindPeriod          = "Period"
)

// Kind names the value[x] form present (ValueKindNone when there is no value).
func (v ObservationValue) Kind() string {
	switch {
	case v.ValueQuantity != nil:
		return ValueKindQuantity
	case v.ValueCodeableConcept != nil:
		return ValueKindCodeableConcept
	case v.ValueString != "":
		return ValueKindString
	case v.ValueBoolean != nil:
		return ValueKindBoolean
	case v.ValueInteger != nil:
		return ValueKindInteger
	case v.ValueRange != nil:
		return ValueKindRange
	case v.ValueRatio != nil:
		return ValueKindRatio
	case len(v.ValueSampledData) > 0:
		return ValueKindSampledData
	case v.ValueTime != "":
		return ValueKindTime
	case !v.ValueDateTime.IsZero():
		return ValueKindDateTime
	case v.ValuePeriod != nil:
		return ValueKindPeriod
	}
	return ValueKindNone
}

// ObservationReferenceRange is a normal range; Text is Epic's free-text form ("3.5 - 5.0").
type ObservationReferenceRange struct {
	Low       *Quantity         `json:"low,omitempty"`
	High      *Quantity         `json:"high,omitempty"`
	Type      *CodeableConcept  `json:"type,omitempty"`
	AppliesTo []CodeableConcept `json:"appliesTo,omitempty"`
	Age       *Range            `json:"age,omitempty"`
	Text      string            `json:"text,omitempty"`
}

// ObservationComponent is one part of a multi-part observation (systolic, diastolic...).
type ObservationComponent struct {
	Extension []Extension     `json:"extension,omitempty"`
	Code      CodeableConcept `json:"code"`

	ObservationValue

	DataAbsentReason *CodeableConcept            `json:"dataAbsentReason,omitempty"`
	Interpretation   []CodeableConcept           `json:"interpretation,omitempty"`
	ReferenceRange   []ObservationReferenceRange `json:"referenceRange,omitempty"`
}

// MarshalJSON always writes resourceType "Observation".
func (o Observation) MarshalJSON() ([]byte, error) {
	type plain Observation
	v := plain(o)
	v.ResourceType = "Observation"
	return json.Marshal(v)
}

// Effective returns when the observation applies: effectiveDateTime, else effectiveInstant,
// else the start of effectivePeriod (else its end), else the zero DateTime.
func (o Observation) Effective() DateTime {
	switch {
	case !o.EffectiveDateTime.IsZero():
		return o.EffectiveDateTime
	case !o.EffectiveInstant.IsZero():
		return o.EffectiveInstant
	case o.EffectivePeriod != nil && !o.EffectivePeriod.Start.IsZero():
		return o.EffectivePeriod.Start
	case o.EffectivePeriod != nil:
		return o.EffectivePeriod.End
	}
	return DateTime{}
}

// HasCategory reports whether the observation has the category code (any system).
func (o Observation) HasCategory(code string) bool {
	for _, c := range o.Category {
		if c.HasCode("", code) {
			return true
		}
	}
	return false
}

// ComponentFor returns the first component whose code has the code (any system), e.g. LOINC
// "8480-6" for systolic blood pressure.
func (o Observation) ComponentFor(code string) (ObservationComponent, bool) {
	for _, c := range o.Component {
		if c.Code.HasCode("", code) {
			return c, true
		}
	}
	return ObservationComponent{}, false
}
