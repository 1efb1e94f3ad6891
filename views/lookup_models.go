package views

// Form field names of the lookup forms, shared with the handlers that bind them.
const (
	FieldMRN     = "mrn"
	FieldPatient = "patient" // the chosen FHIR id among the session's last results
	FieldCSRF    = "csrf_token"
)

// Lookup URLs (the forms post here).
const (
	LookupURL       = "/lookup"
	LookupChooseURL = "/lookup/choose"
)

// LookupPage is the MRN lookup: one field, and after a search its outcome.
type LookupPage struct {
	Page
	MRN           string // echoed back into the field (escaped by templ)
	FieldError    string // validation message shown next to the field (422)
	NotFound      string // "No patient found with MRN …"
	Matches       []MatchRow
	UpstreamError *Alert // Epic unreachable or refusing; the form stays usable
}

// MatchRow is one patient among several matching an MRN.
type MatchRow struct {
	Choice      string // value posted as FieldPatient
	Name        string
	BirthDate   string
	Sex         string
	Identifiers []IDRow
}

// chooseLabel is what a screen reader hears for a match's Open chart button: the name alone is not
// enough, since patients sharing an MRN often share a family name too ("Jordan Lee" twice).
func chooseLabel(m MatchRow) string {
	born := "born " + m.BirthDate
	if isNotRecorded(m.BirthDate) || m.BirthDate == "" {
		born = "birth date not recorded"
	}
	return " of " + m.Name + ", " + born
}
