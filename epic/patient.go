package epic

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/chartside/chartside/epic/fhir"
)

// maxMRNLength is generous: real MRNs are short, and a long value is a paste accident.
const maxMRNLength = 64

// validFHIRID checks the FHIR id grammar ([A-Za-z0-9.-]), allowing Epic's ids longer than 64.
// Checking it keeps path and query injection out of the URLs we build.
func validFHIRID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// ValidateMRN trims mrn and rejects what would change the search's meaning: empty, too long,
// a comma (FHIR "or"), a pipe (system separator) or any control character. Errors match
// ErrInvalidMRN and do not quote the MRN.
func ValidateMRN(mrn string) (string, error) {
	mrn = strings.TrimSpace(mrn)
	switch {
	case mrn == "":
		return "", fmt.Errorf("%w: empty", ErrInvalidMRN)
	case len(mrn) > maxMRNLength:
		return "", fmt.Errorf("%w: longer than %d characters", ErrInvalidMRN, maxMRNLength)
	case strings.ContainsAny(mrn, ",|"):
		return "", fmt.Errorf("%w: contains a comma or pipe", ErrInvalidMRN)
	case strings.IndexFunc(mrn, unicode.IsControl) >= 0:
		return "", fmt.Errorf("%w: contains a control character", ErrInvalidMRN)
	}
	return mrn, nil
}

// SearchPatientsByMRN finds patients by MRN: GET Patient?identifier={MRNSystem}|{mrn}. An invalid
// MRN fails with ErrInvalidMRN before any request. Zero matches is not an error.
func (c *Client) SearchPatientsByMRN(ctx context.Context, mrn string) (Result[fhir.Patient], error) {
	mrn, err := ValidateMRN(mrn)
	if err != nil {
		return Result[fhir.Patient]{}, err
	}
	q := url.Values{"identifier": {c.cfg.MRNSystem + "|" + mrn}}
	return search[fhir.Patient](ctx, c, OpPatientSearch, "Patient", c.searchURL("Patient", q), c.cfg.MaxPages)
}

// ReadPatient reads one Patient by FHIR id. A malformed id fails with ErrNotFound without a
// request (no such patient can exist); Epic's 404 also maps to ErrNotFound.
func (c *Client) ReadPatient(ctx context.Context, id string) (fhir.Patient, error) {
	if !validFHIRID(id) {
		return fhir.Patient{}, &FHIRError{Op: OpPatientRead, kind: ErrNotFound, detail: "malformed patient id"}
	}
	var p fhir.Patient
	if err := c.getFHIR(ctx, OpPatientRead, "Patient", c.cfg.FHIRBaseURL+"/Patient/"+url.PathEscape(id), "Patient", &p); err != nil {
		return fhir.Patient{}, err
	}
	return p, nil
}

// checkPatientID validates a patient id used as a search parameter.
func checkPatientID(op, id string) error {
	if !validFHIRID(id) {
		return &FHIRError{Op: op, kind: ErrNotFound, detail: "malformed patient id"}
	}
	return nil
}
