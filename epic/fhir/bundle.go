package fhir

import (
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
	Mode  string      `json:"mode,omitempty"`
	Score json.Number `json:"score,omitempty"`
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

// ResourceType peeks at the entry resource's resourceType.
func (e BundleEntry) ResourceType() string {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if len(e.Resource) == 0 || json.Unmarshal(e.Resource, &head) != nil {
		return ""
	}
	return head.ResourceType
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
	var out []T
	for i, e := range b.Entry {
		if e.Mode() == SearchModeOutcome || e.ResourceType() != resourceType {
			continue
		}
		var v T
		if err := json.Unmarshal(e.Resource, &v); err != nil {
			return nil, fmt.Errorf("fhir: bundle entry %d (%s): %w", i, resourceType, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Outcomes decodes the OperationOutcome entries of the Bundle (mode "outcome", or any
// OperationOutcome resource).
func (b *Bundle) Outcomes() ([]OperationOutcome, error) {
	var out []OperationOutcome
	for i, e := range b.Entry {
		if e.ResourceType() != "OperationOutcome" {
			continue
		}
		var oo OperationOutcome
		if err := json.Unmarshal(e.Resource, &oo); err != nil {
			return nil, fmt.Errorf("fhir: bundle entry %d (OperationOutcome): %w", i, err)
		}
		out = append(out, oo)
	}
	return out, nil
}
