package sandbox

import (
	"net/url"

	"github.com/chartside/chartside/epic/fhir"
)

var encounterParams = map[string]bool{
	"patient": true, "subject": true, "date": true, "class": true, "identifier": true, "_id": true,
	"onlyscannable": true, "account": true, "appointment": true, "location": true, "practitioner": true,
	"status": true, "type": true, "participant": true, "reason-code": true, "service-provider": true,
}

// searchEncounters applies Epic's Encounter.Search rules: patient (or subject) is required; date may
// repeat (ge/gt/le/lt/eq); class, status and identifier filter; other parameters are silently ignored.
// Like the captures, results carry the 59204 outcome for "Outside Record" encounters.
func (s *Sandbox) searchEncounters(params url.Values) (*result, *searchError) {
	if id := params.Get("_id"); id != "" {
		res := &result{}
		for _, want := range splitList(params["_id"]) {
			if rec, ok := s.data.get("Encounter", want); ok {
				res.matches = append(res.matches, rec)
			}
		}
		return res, nil
	}
	patient, serr := patientParam(params)
	if serr != nil {
		return nil, serr
	}
	if patient == "" {
		if params.Get("class") != "" {
			return nil, badSearch(issue("information", "value", codeInvalidValue, "", "A patient or subject parameter is required."))
		}
		return nil, badSearch(requiresPatient())
	}
	dates, err := parseDateFilters(params["date"])
	if err != nil {
		return nil, badSearch(issue("fatal", "value", codeInvalidValue, "", "Invalid value for date: "+err.Error()))
	}
	classes, statuses, idents := splitList(params["class"]), splitList(params["status"]), splitList(params["identifier"])
	res := &result{issues: []fhir.OperationOutcomeIssue{suppressedIssue("Encounter - Outside Record")}}
	for _, rec := range s.data.encounters[patient] {
		if !matchAllDates(dates, rec) {
			continue
		}
		e := rec.enc
		if len(classes) > 0 && (e.Class == nil || !anyToken([]fhir.Coding{*e.Class}, classes)) {
			continue
		}
		if len(statuses) > 0 && !contains(statuses, e.Status) {
			continue
		}
		if len(idents) > 0 && !anyIdentifier(e.Identifier, idents) {
			continue
		}
		res.matches = append(res.matches, rec)
	}
	return res, nil
}

func anyToken(codings []fhir.Coding, tokens []string) bool {
	for _, t := range tokens {
		if codingMatches(codings, t) {
			return true
		}
	}
	return false
}

func anyIdentifier(ids []fhir.Identifier, tokens []string) bool {
	codings := make([]fhir.Coding, len(ids))
	for i, id := range ids {
		codings[i] = fhir.Coding{System: id.System, Code: id.Value}
	}
	return anyToken(codings, tokens)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
