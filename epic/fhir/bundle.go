package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Search modes of Bundle entries. Epic puts OperationOutcome entries with mode "outcome" inside
// successful searchsets (no results, suppressed sub-types...).
const (
	SearchModeMatch   = "match"
	SearchModeInclude = "include"
	SearchModeOutcome = "outcome"
)

// Bundle is a FHIR Bundle; Chartside reads searchsets.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type,omitempty"`
	Total        *int          `json:"total,omitempty"` // page size, not a full count, when _count is set
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is a paging or self link.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is one entry; Resource is kept raw and decoded by type (see Resources).
type BundleEntry struct {
	Link     []BundleLink    `json:"link,omitempty"`
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Search   *BundleSearch   `json:"search,omitempty"`
}

// BundleSearch says why an entry is in a searchset.
type BundleSearch struct {
	Mode  string  `json:"mode,omitempty"`
	Score Decimal `json:"score,omitempty"`
}

// MarshalJSON always writes resourceType "Bundle".
func (b Bundle) MarshalJSON() ([]byte, error) {
	type plain Bundle
	p := plain(b)
	p.ResourceType = "Bundle"
	return json.Marshal(p)
}

// LinkURL returns the URL of the link with the relation ("next", "self"), or "".
func (b *Bundle) LinkURL(relation string) string {
	for _, l := range b.Link {
		if l.Relation == relation {
			return l.URL
		}
	}
	return ""
}

// Mode returns the entry's search mode ("" when absent).
func (e BundleEntry) Mode() string {
	if e.Search == nil {
		return ""
	}
	return e.Search.Mode
}

// ResourceType peeks at the entry resource's resourceType ("" when there is none).
func (e BundleEntry) ResourceType() string { return PeekResourceType(e.Resource) }

// PeekResourceType returns the resourceType of a JSON resource without decoding it: Epic writes
// resourceType as the first member, and reading it there costs a few bytes instead of a pass over
// the whole resource (a search page used to be scanned several times just for this; see
// BENCHMARKS.md). When resourceType is not first, the object is decoded to find it. "" when raw
// is not a JSON object with a string resourceType.
func PeekResourceType(raw []byte) string {
	if t, ok := leadingResourceType(raw); ok {
		return t
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(raw, &head) != nil {
		return ""
	}
	return head.ResourceType
}

// leadingResourceType reads `{"resourceType":"Name"` at the start of raw (JSON whitespace
// allowed). It answers only when the name is plain ASCII letters, as every FHIR resource type is;
// anything else (escapes, another first member) is left to the full decode.
func leadingResourceType(raw []byte) (string, bool) {
	const key = `"resourceType"`
	s, ok := expectByte(raw, '{')
	if !ok {
		return "", false
	}
	s = trimSpace(s)
	if !bytes.HasPrefix(s, []byte(key)) {
		return "", false
	}
	if s, ok = expectByte(s[len(key):], ':'); !ok {
		return "", false
	}
	if s, ok = expectByte(s, '"'); !ok {
		return "", false
	}
	n := 0
	for n < len(s) && ('a' <= s[n] && s[n] <= 'z' || 'A' <= s[n] && s[n] <= 'Z') {
		n++
	}
	if n == 0 || n == len(s) || s[n] != '"' {
		return "", false
	}
	return string(s[:n]), true
}

// expectByte skips JSON whitespace, then c, and returns the rest.
func expectByte(s []byte, c byte) ([]byte, bool) {
	s = trimSpace(s)
	if len(s) == 0 || s[0] != c {
		return nil, false
	}
	return s[1:], true
}

func trimSpace(s []byte) []byte {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r') {
		s = s[1:]
	}
	return s
}

// AddEntry appends a resource entry with the given search mode ("" for none).
func (b *Bundle) AddEntry(fullURL string, resource any, mode string) error {
	raw, err := json.Marshal(resource)
	if err != nil {
		return fmt.Errorf("fhir: bundle entry: %w", err)
	}
	e := BundleEntry{FullURL: fullURL, Resource: raw}
	if mode != "" {
		e.Search = &BundleSearch{Mode: mode}
	}
	b.Entry = append(b.Entry, e)
	return nil
}

// Resources decodes the entries whose resource has the resourceType and whose search mode is
// not "outcome" (so a Bundle without modes still yields its resources).
func Resources[T any](b *Bundle, resourceType string) ([]T, error) {
	items, _, err := split[T](b, resourceType, false)
	return items, err
}

// Outcomes decodes the OperationOutcome entries of the Bundle (mode "outcome", or any
// OperationOutcome resource).
func (b *Bundle) Outcomes() ([]OperationOutcome, error) {
	_, outcomes, err := split[struct{}](b, "", true)
	return outcomes, err
}

// split decodes the entries of resourceType ("" for none) into T and, when withOutcomes, the
// OperationOutcome entries. An OperationOutcome entry is an outcome whatever its mode; any other
// entry in mode "outcome" is skipped.
func split[T any](b *Bundle, resourceType string, withOutcomes bool) ([]T, []OperationOutcome, error) {
	var (
		items    []T
		outcomes []OperationOutcome
	)
	for i, e := range b.Entry {
		switch t := e.ResourceType(); {
		case t == "OperationOutcome" && withOutcomes:
			var oo OperationOutcome
			if err := Unmarshal(e.Resource, &oo); err != nil {
				return nil, nil, fmt.Errorf("fhir: bundle entry %d (OperationOutcome): %w", i, err)
			}
			outcomes = append(outcomes, oo)
		case t == resourceType && t != "" && e.Mode() != SearchModeOutcome:
			var v T
			if err := Unmarshal(e.Resource, &v); err != nil {
				return nil, nil, fmt.Errorf("fhir: bundle entry %d (%s): %w", i, resourceType, err)
			}
			items = append(items, v)
		}
	}
	return items, outcomes, nil
}
