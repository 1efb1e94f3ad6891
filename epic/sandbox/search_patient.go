package sandbox

import (
	"net/url"
	"strings"

	"github.com/chartside/chartside/epic/fhir"
)

// patientParams are the Patient search parameters of Epic's CapabilityStatement. Those the sandbox
// does not evaluate still count as demographics, so they never make a search "invalid".
var patientParams = map[string]bool{
	"_id": true, "identifier": true, "family": true, "given": true, "birthdate": true, "gender": true,
	"name": true, "address": true, "address-city": true, "address-postalcode": true, "address-state": true,
	"legal-sex": true, "own-name": true, "own-prefix": true, "partner-name": true, "partner-prefix": true,
	"telecom": true, "phone": true, "email": true, "active": true, "death-date": true,
}

// searchPatients applies Epic's Patient.Search rules: _id wins over everything (with a 59100 note);
// identifier in its three forms; given+family+birthdate; other demographic-only searches find nothing
// rather than failing; no usable parameter at all is a 400 (59100 per unknown parameter + 59159).
func (s *Sandbox) searchPatients(params url.Values) (*result, *searchError) {
	res := &result{}
	if id := params.Get("_id"); id != "" {
		for k := range params {
			if k != "_id" && !commonParams[k] {
				res.issues = append(res.issues, issue("information", "invalid", codeInvalid, "",
					"_ID searches do not respect additional filters. Resource specific search parameters have been ignored."))
				break
			}
		}
		for _, want := range splitList(params["_id"]) {
			if rec, ok := s.data.get("Patient", want); ok {
				res.matches = append(res.matches, rec)
			}
		}
		return res, nil
	}

	demographics := false
	for k := range params {
		if patientParams[k] {
			demographics = true
		}
	}
	if !demographics {
		issues := unknownParamIssues(params, patientParams)
		is := issue("fatal", "business-rule", codeBusinessRule, "", "This resource requires demographics or _id parameter for searching.")
		is.Location, is.Expression = []string{"/f:demographics/_id"}, []string{"demographics/_id"}
		return nil, badSearch(append(issues, is)...)
	}

	idents := splitList(params["identifier"])
	family, given, birth := params.Get("family"), params.Get("given"), params.Get("birthdate")
	if len(idents) == 0 && (family == "" || given == "" || birth == "") {
		// Below Epic's minimum data sets: 200 with nothing found, not an error.
		return res, nil
	}
	for _, p := range s.data.patients {
		if len(idents) > 0 && !anyIdentifierMatches(p.p, idents) {
			continue
		}
		if family != "" && !nameMatches(p.p, family, true) {
			continue
		}
		if given != "" && !nameMatches(p.p, given, false) {
			continue
		}
		if birth != "" && !birthMatches(p.p.BirthDate, birth) {
			continue
		}
		if g := params.Get("gender"); g != "" && !strings.EqualFold(g, p.p.Gender) {
			continue
		}
		res.matches = append(res.matches, p.record)
	}
	return res, nil
}

func anyIdentifierMatches(p fhir.Patient, tokens []string) bool {
	for _, t := range tokens {
		if identifierMatches(p, t) {
			return true
		}
	}
	return false
}

// identifierMatches accepts Epic's identifier forms: "<system>|<value>", "<ID type>|<value>" (such as
// MRN|203713, matched on the identifier's type text; MRN also means the sandbox MRN system), "|<value>"
// and a bare value (any identifier).
func identifierMatches(p fhir.Patient, token string) bool {
	left, value, hasBar := strings.Cut(token, "|")
	if !hasBar {
		left, value = "", token
	}
	value = strings.TrimSpace(value)
	for _, id := range p.Identifier {
		if !strings.EqualFold(strings.TrimSpace(id.Value), value) {
			continue
		}
		switch {
		case left == "":
			return true
		case strings.Contains(left, ":"):
			if id.System == left {
				return true
			}
		default:
			if id.Type != nil && strings.EqualFold(id.Type.Text, left) {
				return true
			}
			if strings.EqualFold(left, "MRN") && id.System == MRNSystem {
				return true
			}
		}
	}
	return false
}

// nameMatches is FHIR string search: case-insensitive starts-with on any name part.
func nameMatches(p fhir.Patient, want string, family bool) bool {
	want = strings.ToLower(want)
	for _, n := range p.Name {
		parts := n.Given
		if family {
			parts = []string{n.Family}
		}
		for _, part := range parts {
			if strings.HasPrefix(strings.ToLower(part), want) {
				return true
			}
		}
	}
	return false
}

// birthMatches compares dates at the coarser of the two precisions, so a patient born "1970" is
// found by birthdate=1970-03-15 and the other way round.
func birthMatches(d fhir.Date, want string) bool {
	have := d.String()
	if have == "" {
		return false
	}
	return strings.HasPrefix(have, want) || strings.HasPrefix(want, have)
}
