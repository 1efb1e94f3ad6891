package sandbox

import (
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/chartside/chartside/epic/fhir"
)

// searchError is a search Epic refuses: an HTTP status and the OperationOutcome issues.
type searchError struct {
	status int
	issues []fhir.OperationOutcomeIssue
}

func badSearch(issues ...fhir.OperationOutcomeIssue) *searchError {
	return &searchError{status: http.StatusBadRequest, issues: issues}
}

// search serves GET {base}/{type}?params.
func (s *Sandbox) search(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("type")
	self := s.baseURL(r) + FHIRBasePath + "/" + typ
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	s.runSearch(w, r, typ, r.URL.Query(), self)
}

// searchPost serves POST {base}/{type}/_search with form-encoded parameters. Since Epic Feb 2026 the
// query string is ignored there, except _format.
func (s *Sandbox) searchPost(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("type")
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		writeOutcome(w, r, http.StatusBadRequest, issue("fatal", "invalid", codeInvalid, "", "_search requires an application/x-www-form-urlencoded body."))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOutcome(w, r, http.StatusBadRequest, issue("fatal", "invalid", codeInvalid, "", "Unreadable form body."))
		return
	}
	params := r.PostForm
	s.runSearch(w, r, typ, params, s.baseURL(r)+FHIRBasePath+"/"+typ+"?"+params.Encode())
}

func (s *Sandbox) runSearch(w http.ResponseWriter, r *http.Request, typ string, params url.Values, self string) {
	if !s.knownResourceType(typ) {
		writeHTMLError(w, http.StatusNotFound, "404 - File or directory not found.")
		return
	}
	if id := params.Get("sessionID"); id != "" {
		sess, ok := s.pages.take(id, s.now())
		if !ok || sess.res.typ != typ {
			writeOutcome(w, r, http.StatusBadRequest, issue("fatal", "processing", codeSessionExpired, "", ""))
			return
		}
		s.writePage(w, r, sess.res, sess.offset, self)
		return
	}
	pageSize, serr := pageSize(params)
	if serr != nil {
		writeOutcome(w, r, serr.status, serr.issues...)
		return
	}
	var res *result
	switch typ {
	case "Patient":
		res, serr = s.searchPatients(params)
	case "Encounter":
		res, serr = s.searchEncounters(params)
	case "Observation":
		res, serr = s.searchObservations(params)
	default:
		res, serr = s.searchOther(typ, params)
	}
	if serr != nil {
		writeOutcome(w, r, serr.status, serr.issues...)
		return
	}
	res.typ, res.pageSize = typ, pageSize
	s.writePage(w, r, res, 0, self)
}

// searchOther answers resource types Epic serves but the sandbox holds no data for: a valid
// patient-scoped search finds nothing.
func (s *Sandbox) searchOther(typ string, params url.Values) (*result, *searchError) {
	if params.Get("patient") == "" && params.Get("subject") == "" && params.Get("_id") == "" {
		return nil, badSearch(requiresPatient())
	}
	return &result{}, nil
}

func pageSize(params url.Values) (int, *searchError) {
	v := params.Get("_count")
	if v == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, badSearch(issue("fatal", "value", codeInvalidValue, "", "Invalid value for _count: "+v))
	}
	return min(n, defaultPageSize), nil
}

// commonParams are accepted by every search.
var commonParams = map[string]bool{"_count": true, "_format": true, "sessionID": true}

// unknownParamIssues lists Epic's 59100 information issue for each parameter not in known.
func unknownParamIssues(params url.Values, known map[string]bool) []fhir.OperationOutcomeIssue {
	var names []string
	for k := range params {
		if !known[k] && !commonParams[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out []fhir.OperationOutcomeIssue
	for _, k := range names {
		out = append(out, issue("information", "invalid", codeInvalid, "",
			"Unknown parameter: "+strings.ToUpper(k)+". Parameter has been ignored."))
	}
	return out
}

func requiresPatient() fhir.OperationOutcomeIssue {
	is := issue("fatal", "business-rule", codeBusinessRule, "", "This resource requires a patient or subject parameter for searching.")
	is.Location, is.Expression = []string{"/f:patient"}, []string{"patient"}
	return is
}

// patientParam reads patient or subject (equivalent; subject may be "Patient/<id>").
func patientParam(params url.Values) (string, *searchError) {
	p := params.Get("patient")
	sub := strings.TrimPrefix(params.Get("subject"), "Patient/")
	switch {
	case p != "" && sub != "" && p != sub:
		return "", badSearch(issue("fatal", "business-rule", codeBusinessRule, "", "The patient and subject parameters must not refer to different patients."))
	case p == "":
		p = sub
	}
	if strings.Contains(p, ",") {
		return "", badSearch(issue("fatal", "business-rule", codeBusinessRule, "", "Only one patient may be searched at a time."))
	}
	return p, nil
}

// splitList splits comma-separated search values (OR) across repeated parameters.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// read serves GET {base}/{type}/{id}.
func (s *Sandbox) read(w http.ResponseWriter, r *http.Request) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if !s.knownResourceType(typ) {
		writeHTMLError(w, http.StatusNotFound, "404 - File or directory not found.")
		return
	}
	rec, ok := s.data.get(typ, id)
	if !ok {
		writeOutcome(w, r, http.StatusNotFound, notFoundIssue())
		return
	}
	raw, err := rec.body()
	if err != nil {
		writeOutcome(w, r, http.StatusInternalServerError, issue("fatal", "exception", "", "", "encode "+typ))
		return
	}
	writeRaw(w, r, http.StatusOK, raw)
}
