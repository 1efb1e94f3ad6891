package fhir

// Element carries the id and extensions FHIR allows on any element. Epic uses it for primitive
// extensions such as Patient.communication._preferred.
type Element struct {
	ID        string      `json:"id,omitempty"`
	Extension []Extension `json:"extension,omitempty"`
}

// Coding is a code from a code system.
type Coding struct {
	System       string `json:"system,omitempty"`
	Version      string `json:"version,omitempty"`
	Code         string `json:"code,omitempty"`
	Display      string `json:"display,omitempty"`
	UserSelected *bool  `json:"userSelected,omitempty"`
}

// CodeableConcept is a concept given as codings and/or text.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// CodingFor returns the first coding in system.
func (c CodeableConcept) CodingFor(system string) (Coding, bool) {
	for _, cd := range c.Coding {
		if cd.System == system {
			return cd, true
		}
	}
	return Coding{}, false
}

// HasCode reports whether any coding has the code in the system ("" matches any system).
func (c CodeableConcept) HasCode(system, code string) bool {
	for _, cd := range c.Coding {
		if cd.Code == code && (system == "" || cd.System == system) {
			return true
		}
	}
	return false
}

// Label is the human text of the concept: Text, else the first coding's display, else its code.
func (c CodeableConcept) Label() string {
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

// Identifier is a business identifier such as an MRN or a CSN.
type Identifier struct {
	Use      string           `json:"use,omitempty"`
	Type     *CodeableConcept `json:"type,omitempty"`
	System   string           `json:"system,omitempty"`
	Value    string           `json:"value,omitempty"`
	Period   *Period          `json:"period,omitempty"`
	Assigner *Reference       `json:"assigner,omitempty"`
}

// HumanName is a person's name.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Prefix []string `json:"prefix,omitempty"`
	Suffix []string `json:"suffix,omitempty"`
	Period *Period  `json:"period,omitempty"`
}

// ContactPoint is a phone number, e-mail address and so on.
type ContactPoint struct {
	System string  `json:"system,omitempty"`
	Value  string  `json:"value,omitempty"`
	Use    string  `json:"use,omitempty"`
	Rank   int     `json:"rank,omitempty"` // positiveInt: 0 means absent
	Period *Period `json:"period,omitempty"`
}

// Address is a postal address. Epic's Text joins lines with "\r\n".
type Address struct {
	Use        string   `json:"use,omitempty"`
	Type       string   `json:"type,omitempty"`
	Text       string   `json:"text,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	District   string   `json:"district,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
	Period     *Period  `json:"period,omitempty"`
}

// Quantity is a measured amount. Value is a Decimal so the digits Epic sent are kept
// exactly: "7.20" stays "7.20" (trailing zeros carry precision in lab results).
type Quantity struct {
	Value      Decimal `json:"value,omitempty"`
	Comparator string  `json:"comparator,omitempty"`
	Unit       string  `json:"unit,omitempty"`
	System     string  `json:"system,omitempty"`
	Code       string  `json:"code,omitempty"`
}

// Range is a low and/or high Quantity.
type Range struct {
	Low  *Quantity `json:"low,omitempty"`
	High *Quantity `json:"high,omitempty"`
}

// Ratio is a numerator over a denominator.
type Ratio struct {
	Numerator   *Quantity `json:"numerator,omitempty"`
	Denominator *Quantity `json:"denominator,omitempty"`
}

// Period is a time range; either end may be open.
type Period struct {
	Start DateTime `json:"start,omitzero"`
	End   DateTime `json:"end,omitzero"`
}

// Reference points at another resource by relative reference, identifier and/or display text.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Annotation is a note with optional author and time.
type Annotation struct {
	AuthorReference *Reference `json:"authorReference,omitempty"`
	AuthorString    string     `json:"authorString,omitempty"`
	Time            DateTime   `json:"time,omitzero"`
	Text            string     `json:"text"`
}

// Extension is a FHIR extension with the value[x] forms Epic uses, and nested extensions
// (us-core-race and friends).
type Extension struct {
	URL                  string           `json:"url"`
	Extension            []Extension      `json:"extension,omitempty"`
	ValueString          string           `json:"valueString,omitempty"`
	ValueCode            string           `json:"valueCode,omitempty"`
	ValueURI             string           `json:"valueUri,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueInteger         *int             `json:"valueInteger,omitempty"`
	ValueDecimal         Decimal          `json:"valueDecimal,omitempty"`
	ValueDate            Date             `json:"valueDate,omitzero"`
	ValueDateTime        DateTime         `json:"valueDateTime,omitzero"`
	ValueInstant         DateTime         `json:"valueInstant,omitzero"`
	ValueCoding          *Coding          `json:"valueCoding,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueIdentifier      *Identifier      `json:"valueIdentifier,omitempty"`
	ValueQuantity        *Quantity        `json:"valueQuantity,omitempty"`
	ValueReference       *Reference       `json:"valueReference,omitempty"`
	ValuePeriod          *Period          `json:"valuePeriod,omitempty"`
}

// FindExtension returns the first extension with the URL.
func FindExtension(exts []Extension, url string) (Extension, bool) {
	for _, e := range exts {
		if e.URL == url {
			return e, true
		}
	}
	return Extension{}, false
}
