package sandbox

import (
	"net/http"

	"github.com/chartside/chartside/epic/fhir"
)

// Epic error codes used by the sandbox (system fhir.EpicErrorSystem), with Epic's display texts.
const (
	codeNoResults       = "4101"  // Resource request returns no results.
	codeSessionExpired  = "4113"  // Session ID for cached search results has expired.
	codeNotFound        = "59008" // The FHIR ID provided was not found.
	codeInvalid         = "59100" // Content invalid against the specification or a profile.
	codeRequiredMissing = "59108" // Required element missing.
	codeInvalidValue    = "59111" // Invalid value.
	codeBusinessRule    = "59159" // business rule
	codeSuppressed      = "59204" // sub-resource not authorized
)

var epicDisplays = map[string]string{
	codeNoResults:       "Resource request returns no results.",
	codeSessionExpired:  "Session ID for cached search results has expired.",
	codeNotFound:        "The FHIR ID provided was not found.",
	codeInvalid:         "Content invalid against the specification or a profile.",
	codeRequiredMissing: "Required element missing.",
	codeInvalidValue:    "Invalid value.",
	codeBusinessRule:    "The content/operation failed to pass a business rule, and so could not proceed.",
	codeSuppressed:      "The authenticated client's search request applies to a sub-resource that the client is not authorized for. Results of this sub-type will not be returned.",
}

// issue builds one OperationOutcome issue the way Epic writes them: the Epic code in details.coding,
// its display repeated in details.text, and the specific message in diagnostics.
func issue(severity, code, epicCode, display, diagnostics string) fhir.OperationOutcomeIssue {
	is := fhir.OperationOutcomeIssue{Severity: severity, Code: code, Diagnostics: diagnostics}
	if epicCode != "" {
		if display == "" {
			display = epicDisplays[epicCode]
		}
		is.Details = &fhir.CodeableConcept{
			Coding: []fhir.Coding{{System: fhir.EpicErrorSystem, Code: epicCode, Display: display}},
			Text:   display,
		}
	}
	return is
}

func outcome(issues ...fhir.OperationOutcomeIssue) fhir.OperationOutcome {
	return fhir.OperationOutcome{ResourceType: "OperationOutcome", Issue: issues}
}

// writeOutcome answers with an OperationOutcome, JSON or XML depending on Accept, like Epic.
func writeOutcome(w http.ResponseWriter, r *http.Request, status int, issues ...fhir.OperationOutcomeIssue) {
	writeResource(w, r, status, outcome(issues...))
}

func noResultsIssue() fhir.OperationOutcomeIssue {
	return issue("warning", "processing", codeNoResults, "", "")
}

func suppressedIssue(what string) fhir.OperationOutcomeIssue {
	return issue("warning", "suppressed", codeSuppressed, "",
		"Client not authorized for "+what+". Search results of this type have not been included.")
}

func notFoundIssue() fhir.OperationOutcomeIssue {
	is := issue("fatal", "not-found", codeNotFound, "", "Invalid FHIR ID provided")
	is.Location, is.Expression = []string{"/f:id"}, []string{"id"}
	return is
}
