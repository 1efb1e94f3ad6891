package fhir

import (
	"encoding/json"
	"strings"
)

// EpicErrorSystem is the code system of Epic's numbered messages (4101, 59008, 59204...).
const EpicErrorSystem = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369"

// OperationOutcome is a FHIR OperationOutcome: an error body, or an outcome entry in a Bundle.
type OperationOutcome struct {
	ResourceType string                  `json:"resourceType"`
	Issue        []OperationOutcomeIssue `json:"issue"`
}

// OperationOutcomeIssue is one issue.
type OperationOutcomeIssue struct {
	Severity    string           `json:"severity"` // fatal | error | warning | information
	Code        string           `json:"code"`     // FHIR issue type
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	Location    []string         `json:"location,omitempty"`
	Expression  []string         `json:"expression,omitempty"`
}

// MarshalJSON always writes resourceType "OperationOutcome".
func (o OperationOutcome) MarshalJSON() ([]byte, error) {
	type plain OperationOutcome
	p := plain(o)
	p.ResourceType = "OperationOutcome"
	return json.Marshal(p)
}

// EpicCode returns Epic's message number (e.g. "4101"), or the first coding's code.
func (i OperationOutcomeIssue) EpicCode() string {
	if i.Details == nil {
		return ""
	}
	if c, ok := i.Details.CodingFor(EpicErrorSystem); ok {
		return c.Code
	}
	if len(i.Details.Coding) > 0 {
		return i.Details.Coding[0].Code
	}
	return ""
}

// Text is the most specific human text of the issue: diagnostics, else details.
func (i OperationOutcomeIssue) Text() string {
	if i.Diagnostics != "" {
		return i.Diagnostics
	}
	if i.Details != nil {
		return i.Details.Label()
	}
	return i.Code
}

// Text joins the issue texts with "; ".
func (o OperationOutcome) Text() string {
	parts := make([]string, 0, len(o.Issue))
	for _, i := range o.Issue {
		if t := i.Text(); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "; ")
}
