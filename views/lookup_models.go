package views

import "strings"

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

// Ids of the lookup's outcomes, which describe the MRN field (mrnDescribedBy).
const (
	mrnErrorID             = "mrn-error"
	lookupNotFoundID       = "lookup-not-found"
	lookupMatchesCaptionID = "lookup-matches-caption"
	lookupUpstreamErrorID  = "lookup-upstream-error"
)

// mrnDescribedBy lists the ids of what the search found, for the MRN field's aria-describedby.
// The outcome arrives as a new page whose autofocus puts the focus back on the field, and a
// screen reader then reads the page's title and the field, never a status message that was
// already there when the page loaded: after "Open chart" a nurse using one heard "MRN, 999999"
// and nothing of "No patient found", nor that two patients share the MRN and one must be chosen.
// Described by the outcome, the field is read with it.
func (l LookupPage) mrnDescribedBy() string {
	var ids []string
	if l.FieldError != "" {
		ids = append(ids, mrnErrorID)
	}
	if l.UpstreamError != nil {
		ids = append(ids, lookupUpstreamErrorID)
	}
	if l.NotFound != "" {
		ids = append(ids, lookupNotFoundID)
	}
	if len(l.Matches) > 0 {
		ids = append(ids, lookupMatchesCaptionID)
	}
	return strings.Join(ids, " ")
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
