package sandbox

import (
	"net/url"
	"strings"

	"github.com/chartside/chartside/epic/fhir"
)

var observationParams = map[string]bool{
	"patient": true, "subject": true, "category": true, "code": true, "date": true, "_id": true,
	"issued": true, "based-on": true, "focus": true, "encounter": true, "status": true, "performer": true,
	"has-member": true, "component-code": true, "comboCode": true, "valueConcept": true, "valueString": true,
}

// observationCategories are the category codes Epic's sandbox CapabilityStatement lists; anything
// else is error 59111, like category=labresults.
var observationCategories = map[string]bool{
	"laboratory": true, "vital-signs": true, "social-history": true, "core-characteristics": true,
	"LDA": true, "LDA-property": true, "LDA-assessment": true, "functional-mental-status": true,
	"periodontal": true, "labor-delivery": true, "newborn-delivery": true, "obstetrics-gynecology": true,
	"survey": true, "sdoh": true, "imaging": true, "Lab": true,
	"384821006": true, "118228005": true, "252275004": true, "275711006": true, "68793005": true,
	"395124008": true, "314076009": true, "19851009": true, "405825005": true,
}

// suppressedFor is the 59204 "Outside Record" note the captures show per category.
var suppressedFor = map[string]string{
	"laboratory":  "Observation - Outside Record Results",
	"vital-signs": "Observation - Outside Record Vital Signs",
}

// searchObservations applies Epic's Observation.Search rules: patient plus category or code, both
// comma-separated ORs, with optional repeated date filters.
func (s *Sandbox) searchObservations(params url.Values) (*result, *searchError) {
	if id := params.Get("_id"); id != "" {
		res := &result{}
		for _, want := range splitList(params["_id"]) {
			if rec, ok := s.data.get("Observation", want); ok {
				res.matches = append(res.matches, rec)
			}
		}
		return res, nil
	}
	patient, serr := patientParam(params)
	if serr != nil {
		return nil, serr
	}
	cats, codes := splitList(params["category"]), splitList(params["code"])
	switch {
	case patient == "" && (len(cats) > 0 || len(codes) > 0):
		return nil, badSearch(requiresPatient())
	case patient == "":
		return nil, badSearch(append(unknownParamIssues(params, observationParams), requiresPatient())...)
	case len(cats) == 0 && len(codes) == 0:
		is := issue("fatal", "required", codeRequiredMissing, "Must have either code or category.", "Must have either code or category.")
		return nil, badSearch(append(unknownParamIssues(params, observationParams), is)...)
	}
	for _, c := range cats {
		_, code, _ := strings.Cut(c, "|")
		if code == "" {
			code = c
		}
		if !observationCategories[code] {
			is := issue("fatal", "value", codeInvalidValue, "", "Invalid value for category: "+c)
			is.Location, is.Expression = []string{"/f:category"}, []string{"category"}
			return nil, badSearch(is)
		}
	}
	dates, err := parseDateFilters(params["date"])
	if err != nil {
		return nil, badSearch(issue("fatal", "value", codeInvalidValue, "", "Invalid value for date: "+err.Error()))
	}
	res := &result{}
	for _, c := range cats {
		if what, ok := suppressedFor[c]; ok {
			res.issues = append(res.issues, suppressedIssue(what))
		}
	}
	for _, rec := range s.data.observations[patient] {
		if len(cats) > 0 && !categoryMatches(rec.obs.Category, cats) {
			continue
		}
		if len(codes) > 0 && !anyToken(rec.obs.Code.Coding, codes) {
			continue
		}
		if !matchAllDates(dates, rec) {
			continue
		}
		res.matches = append(res.matches, rec)
	}
	return res, nil
}

func categoryMatches(have []fhir.CodeableConcept, want []string) bool {
	for _, w := range want {
		if _, code, ok := strings.Cut(w, "|"); ok {
			w = code
		}
		for _, h := range have {
			if h.HasCode("", w) {
				return true
			}
		}
	}
	return false
}
