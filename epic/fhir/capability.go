package fhir

// OAuthURIsExtension is the SMART extension on CapabilityStatement.rest.security that lists the
// authorize and token endpoints (the pre-2021 way Epic advertises them).
const OAuthURIsExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

// CapabilityStatement is the part of GET [base]/metadata that Chartside reads: versions and the
// OAuth endpoints. Everything else is ignored when decoding.
type CapabilityStatement struct {
	ResourceType string              `json:"resourceType"`
	Status       string              `json:"status,omitempty"`
	FHIRVersion  string              `json:"fhirVersion,omitempty"`
	Software     *CapabilitySoftware `json:"software,omitempty"`
	Rest         []CapabilityRest    `json:"rest,omitempty"`
}

// CapabilitySoftware names the server software ("Epic", "May 2026").
type CapabilitySoftware struct {
	Name        string `json:"name,omitempty"`
	Version     string `json:"version,omitempty"`
	ReleaseDate string `json:"releaseDate,omitempty"`
}

// CapabilityRest is one rest block; only security is modelled.
type CapabilityRest struct {
	Mode     string              `json:"mode,omitempty"`
	Security *CapabilitySecurity `json:"security,omitempty"`
}

// CapabilitySecurity holds the oauth-uris extension.
type CapabilitySecurity struct {
	Extension []Extension       `json:"extension,omitempty"`
	Service   []CodeableConcept `json:"service,omitempty"`
}

// OAuthURI returns the endpoint named by the oauth-uris sub-extension ("token", "authorize").
func (c CapabilityStatement) OAuthURI(name string) string {
	for _, r := range c.Rest {
		if r.Security == nil {
			continue
		}
		ext, ok := FindExtension(r.Security.Extension, OAuthURIsExtension)
		if !ok {
			continue
		}
		if sub, ok := FindExtension(ext.Extension, name); ok {
			return sub.ValueURI
		}
	}
	return ""
}
