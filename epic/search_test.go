package epic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

const camila = "erXuFYUfucBZaryVksYEcMg3"

// captureRoutes serves Camila Lopez's captures the way Epic's sandbox answered them, and records
// the query strings received.
type captureRoutes struct {
	t       *testing.T
	mu      sync.Mutex
	queries []url.Values
	paths   []string
}

func (cr *captureRoutes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cr.mu.Lock()
	cr.queries = append(cr.queries, q)
	cr.paths = append(cr.paths, r.URL.Path)
	cr.mu.Unlock()
	switch r.URL.Path {
	case fhirPath + "/Patient/" + camila:
		serveCapture(cr.t, w, "patient-read-sandbox-camila-lopez.json", 200)
	case fhirPath + "/Patient/unknown":
		serveCapture(cr.t, w, "error-patient-read-not-found-404.json", 404)
	case fhirPath + "/Patient":
		serveCapture(cr.t, w, "patient-search-apporchard-with-outcome.json", 200)
	case fhirPath + "/Encounter":
		serveCapture(cr.t, w, "encounter-search-sandbox-camila-lopez.json", 200)
	case fhirPath + "/Observation":
		switch q.Get("category") {
		case "vital-signs":
			serveCapture(cr.t, w, "observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json", 200)
		case "laboratory":
			serveCapture(cr.t, w, "observation-search-laboratory-sandbox-camila-lopez.json", 200)
		case "social-history":
			serveCapture(cr.t, w, "observation-search-social-history-apporchard.json", 200)
		case "":
			serveCapture(cr.t, w, "observation-search-laboratory-sandbox-no-results-outcome.json", 200)
		default:
			w.WriteHeader(403)
		}
	default:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(404)
		fmt.Fprint(w, "<html><body>404 - File or directory not found.</body></html>")
	}
}

func codes(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func TestCamilaLopezCaptures(t *testing.T) {
	env := newEnv(t, nil)
	routes := &captureRoutes{t: t}
	env.epic.setFHIR(routes.ServeHTTP)
	ctx := context.Background()

	p, err := env.client.ReadPatient(ctx, camila)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.BirthDate.String(); got != "1987-09-12" {
		t.Errorf("birthDate = %s", got)
	}

	enc, err := env.client.SearchEncounters(ctx, camila, EncounterQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(enc.Items) != 10 || enc.Truncated {
		t.Errorf("encounters = %d (truncated %v), want 10", len(enc.Items), enc.Truncated)
	}
	if got, want := codes(enc.Warnings), []string{"59204"}; !reflect.DeepEqual(got, want) {
		t.Errorf("encounter warnings = %v, want %v", got, want)
	}

	obs, err := env.client.SearchObservations(ctx, camila, ObservationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, o := range obs.Items {
		for _, cat := range DefaultObservationCategories() {
			if o.HasCategory(cat) {
				count[cat]++
			}
		}
	}
	if want := map[string]int{"vital-signs": 5, "laboratory": 5, "social-history": 4}; !reflect.DeepEqual(count, want) {
		t.Errorf("observations per category = %v, want %v", count, want)
	}
	// Merged in category order, each 59204 text once per distinct diagnostics.
	if got, want := codes(obs.Warnings), []string{"59204", "59204"}; !reflect.DeepEqual(got, want) {
		t.Errorf("observation warnings = %v, want %v", got, want)
	}
	var bp *fhir.Observation
	for i := range obs.Items {
		if obs.Items[i].Code.Text == "BP" {
			bp = &obs.Items[i]
		}
	}
	if bp == nil {
		t.Fatal("no BP observation")
	}
	sys, ok1 := bp.ComponentFor("8480-6")
	dia, ok2 := bp.ComponentFor("8462-4")
	if !ok1 || !ok2 || sys.ValueQuantity.Value.String() != "118" || dia.ValueQuantity.Value.String() != "76" || sys.ValueQuantity.Unit != "mm[Hg]" {
		t.Errorf("BP components = %+v / %+v", sys, dia)
	}

	routes.mu.Lock()
	defer routes.mu.Unlock()
	var cats []string
	for i, path := range routes.paths {
		if path == fhirPath+"/Observation" {
			if routes.queries[i].Get("patient") != camila {
				t.Errorf("observation search patient = %q", routes.queries[i].Get("patient"))
			}
			cats = append(cats, routes.queries[i].Get("category"))
		}
	}
	if len(cats) != 3 {
		t.Errorf("observation requests = %v, want one per category", cats)
	}
}

func TestSearchQueryParameters(t *testing.T) {
	env := newEnv(t, nil)
	routes := &captureRoutes{t: t}
	env.epic.setFHIR(routes.ServeHTTP)
	ctx := context.Background()
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC)

	if _, err := env.client.SearchPatientsByMRN(ctx, " 203713 "); err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.SearchEncounters(ctx, camila, EncounterQuery{From: from, To: to, Count: 50}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.SearchObservations(ctx, camila, ObservationQuery{Code: "http://loinc.org|2345-7", From: from}); err != nil {
		t.Fatal(err)
	}
	want := []url.Values{
		{"identifier": {testMRNSystem + "|203713"}},
		{"patient": {camila}, "date": {"ge2024-01-01", "le2024-12-31"}, "_count": {"50"}},
		{"patient": {camila}, "code": {"http://loinc.org|2345-7"}, "date": {"ge2024-01-01"}},
	}
	routes.mu.Lock()
	defer routes.mu.Unlock()
	if !reflect.DeepEqual(routes.queries, want) {
		t.Errorf("queries =\n%v\nwant\n%v", routes.queries, want)
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	env := newEnv(t, nil)
	env.epic.setFHIR(okPatientSearch(t))
	ctx := context.Background()
	for _, mrn := range []string{"", "   ", "203713,203714", "urn:x|203713", "2037\n13", "2037\x0013", string(make([]byte, 65))} {
		_, err := env.client.SearchPatientsByMRN(ctx, mrn)
		if !errors.Is(err, ErrInvalidMRN) {
			t.Errorf("MRN %q: err = %v, want ErrInvalidMRN", mrn, err)
		}
	}
	if _, err := env.client.ReadPatient(ctx, "../Observation?x=1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("malformed id: err = %v", err)
	}
	if _, err := env.client.SearchEncounters(ctx, "a&b=c", EncounterQuery{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("malformed patient id: err = %v", err)
	}
	if _, err := env.client.SearchObservations(ctx, camila, ObservationQuery{Code: "1,2"}); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("code with comma: err = %v", err)
	}
	if tokens, fhirReqs := env.epic.counts(); tokens != 0 || fhirReqs != 0 {
		t.Errorf("requests sent for invalid input: token %d, FHIR %d", tokens, fhirReqs)
	}
}

func TestNotFoundAndBadResponses(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantErr    error
		wantStatus int
	}{
		{"404 OperationOutcome", func(w http.ResponseWriter, r *http.Request) {
			serveCapture(t, w, "error-patient-read-not-found-404.json", 404)
		}, ErrNotFound, 404},
		{"IIS HTML 404", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			fmt.Fprint(w, "<html>404 - File or directory not found.</html>")
		}, ErrBadResponse, 404},
		{"XML 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/fhir+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><Patient xmlns="http://hl7.org/fhir"/>`)
		}, ErrBadResponse, 200},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"resourceType":"Patient","id":`)
		}, ErrBadResponse, 200},
		{"wrong type", func(w http.ResponseWriter, r *http.Request) {
			serveCapture(t, w, "encounter-search-sandbox-derrick-lin.json", 200)
		}, ErrBadResponse, 200},
		{"invalid birth date", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"resourceType":"Patient","id":"x","birthDate":"12/09/1987"}`)
		}, ErrBadResponse, 200},
		{"400 OperationOutcome", func(w http.ResponseWriter, r *http.Request) {
			serveCapture(t, w, "error-patient-search-unknown-param-400.json", 400)
		}, ErrUpstream, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, nil)
			env.epic.setFHIR(tt.handler)
			_, err := env.client.ReadPatient(context.Background(), "unknown")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var fe *FHIRError
			if !errors.As(err, &fe) || fe.Status != tt.wantStatus || fe.Op != OpPatientRead {
				t.Errorf("FHIRError = %+v", fe)
			}
			for _, other := range []error{ErrNotFound, ErrBadResponse, ErrUpstream, ErrUnauthorized} {
				if other != tt.wantErr && errors.Is(err, other) {
					t.Errorf("err also matches %v", other)
				}
			}
		})
	}
}

func TestNotFoundOutcomeText(t *testing.T) {
	env := newEnv(t, nil)
	env.epic.setFHIR((&captureRoutes{t: t}).ServeHTTP)
	_, err := env.client.ReadPatient(context.Background(), "unknown")
	var fe *FHIRError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v", err)
	}
	if want := "59008 The FHIR ID provided was not found."; fe.Outcome != want {
		t.Errorf("Outcome = %q, want %q", fe.Outcome, want)
	}
	if len(fe.Issues) != 1 || fe.Issues[0].Diagnostics != "Invalid FHIR ID provided" {
		t.Errorf("Issues = %+v", fe.Issues)
	}
}

// pagedEpic serves a searchset in pages linked by next URLs carrying an opaque session id,
// like Epic's sandbox.
func pagedEpic(t *testing.T, env *testEnv, pages int, nextHost string) *int {
	served := 0
	var mu sync.Mutex
	env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served++
		mu.Unlock()
		page := 1
		if s := r.URL.Query().Get("sessionID"); s != "" {
			if _, err := fmt.Sscanf(s, "17-677B%d", &page); err != nil {
				t.Errorf("sessionID %q", s)
			}
		}
		b := fhir.Bundle{Type: "searchset"}
		if page < pages {
			host := nextHost
			if host == "" {
				host = env.epic.srv.URL
			}
			b.Link = append(b.Link, fhir.BundleLink{Relation: "next", URL: fmt.Sprintf("%s%s/Encounter?sessionID=17-677B%d", host, fhirPath, page+1)})
		}
		if err := b.AddEntry("", fhir.Encounter{ID: fmt.Sprintf("enc-%d", page)}, fhir.SearchModeMatch); err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		if err := jsonEncode(w, b); err != nil {
			t.Error(err)
		}
	})
	return &served
}

func TestPaging(t *testing.T) {
	tests := []struct {
		name          string
		pages         int
		maxPages      int
		wantItems     int
		wantTruncated bool
	}{
		{"all pages", 3, 5, 3, false},
		{"exactly the cap", 3, 3, 3, false},
		{"capped", 5, 2, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, nil)
			served := pagedEpic(t, env, tt.pages, "")
			res, err := env.client.SearchEncounters(context.Background(), camila, EncounterQuery{MaxPages: tt.maxPages})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) != tt.wantItems || res.Truncated != tt.wantTruncated || *served != tt.wantItems {
				t.Errorf("items = %d, truncated = %v, pages served = %d; want %d, %v", len(res.Items), res.Truncated, *served, tt.wantItems, tt.wantTruncated)
			}
			hasWarning := len(res.Warnings) == 1 && res.Warnings[0].Code == WarningCodeTruncated
			if hasWarning != tt.wantTruncated {
				t.Errorf("warnings = %+v", res.Warnings)
			}
		})
	}
}

// TestNextLinkToOtherHost: the bearer token is never sent to a host outside the FHIR base.
func TestNextLinkToOtherHost(t *testing.T) {
	env := newEnv(t, nil)
	pagedEpic(t, env, 3, "https://evil.example")
	_, err := env.client.SearchEncounters(context.Background(), camila, EncounterQuery{})
	if !errors.Is(err, ErrBadResponse) {
		t.Fatalf("err = %v, want ErrBadResponse", err)
	}
}

func TestForbiddenCategoryBecomesWarning(t *testing.T) {
	env := newEnv(t, nil)
	env.epic.setFHIR((&captureRoutes{t: t}).ServeHTTP)
	res, err := env.client.SearchObservations(context.Background(), camila, ObservationQuery{Categories: []string{"laboratory", "survey"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 5 {
		t.Errorf("items = %d, want the 5 labs", len(res.Items))
	}
	if got, want := codes(res.Warnings), []string{"59204", "forbidden"}; !reflect.DeepEqual(got, want) {
		t.Errorf("warnings = %v, want %v", got, want)
	}
	// A single forbidden category is an error, not an empty chart.
	if _, err := env.client.SearchObservations(context.Background(), camila, ObservationQuery{Categories: []string{"survey"}}); !errors.Is(err, ErrForbidden) {
		t.Errorf("single forbidden category: err = %v", err)
	}
}

func TestNoResultsOutcome(t *testing.T) {
	env := newEnv(t, nil)
	env.epic.setFHIR((&captureRoutes{t: t}).ServeHTTP)
	res, err := env.client.SearchObservations(context.Background(), camila, ObservationQuery{Code: "2345-7"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 0 {
		t.Errorf("items = %d", len(res.Items))
	}
	if got, want := codes(res.Warnings), []string{"59204", "4101"}; !reflect.DeepEqual(got, want) {
		t.Errorf("warnings = %v, want %v", got, want)
	}
	if res.Warnings[1].Severity != "warning" || res.Warnings[1].Text != "Resource request returns no results." {
		t.Errorf("4101 warning = %+v", res.Warnings[1])
	}
}
