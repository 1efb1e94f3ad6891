package epic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/chartside/chartside/epic/fhir"
)

// A response whose connection ends before its Content-Length (Epic or a proxy dying mid-answer) is
// a bad response, like a truncated body that ends cleanly: not a generic upstream error.
func TestBodyCutOffIsBadResponse(t *testing.T) {
	tests := []struct {
		name   string
		status int
	}{
		{"200 cut off", http.StatusOK},
		{"404 cut off", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, nil)
			env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
				body := `{"resourceType":"Patient","id":"x","name":[{"family":"Lopez"}]}`
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				w.WriteHeader(tt.status)
				fmt.Fprint(w, body[:len(body)/2])
			})
			_, err := env.client.ReadPatient(context.Background(), "x")
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("err = %v, want ErrBadResponse", err)
			}
			for _, other := range []error{ErrUpstream, ErrTimeout, ErrNotFound} {
				if errors.Is(err, other) {
					t.Errorf("err also matches %v", other)
				}
			}
			var fe *FHIRError
			if !errors.As(err, &fe) || fe.Status != tt.status || fe.Op != OpPatientRead {
				t.Errorf("FHIRError = %+v", fe)
			}
		})
	}
}

// TestPagingSessionExpired: a next link answered with Epic's 4113 (the cached results expired)
// makes the client search again from the first page, once; the result holds each page once. A
// session that expires again is an error, not a loop and not a partial list.
func TestPagingSessionExpired(t *testing.T) {
	tests := []struct {
		name      string
		expire    int // how many next-link requests get 4113
		wantErr   bool
		wantCalls int
	}{
		{"expires once", 1, false, 4},
		{"expires every time", 100, true, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, nil)
			var mu sync.Mutex
			calls, expired := 0, 0
			env.epic.setFHIR(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls++
				page, expire := 1, false
				if r.URL.Query().Get("sessionID") != "" {
					page = 2
					if expired < tt.expire {
						expired++
						expire = true
					}
				}
				mu.Unlock()
				w.Header().Set("Content-Type", "application/fhir+json")
				if expire {
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"processing",`+
						`"details":{"coding":[{"system":"urn:oid:1.2.840.114350.1.13.0.1.7.2.657369","code":"4113"}],`+
						`"text":"Session ID for cached search results has expired."}}]}`)
					return
				}
				b := fhir.Bundle{ResourceType: "Bundle", Type: "searchset"}
				if page == 1 {
					b.Link = append(b.Link, fhir.BundleLink{Relation: "next", URL: env.epic.baseURL() + "/Encounter?sessionID=17-AB"})
				}
				if err := b.AddEntry("", fhir.Encounter{ID: fmt.Sprintf("enc-%d", page)}, fhir.SearchModeMatch); err != nil {
					t.Error(err)
				}
				if err := jsonEncode(w, b); err != nil {
					t.Error(err)
				}
			})
			res, err := env.client.SearchEncounters(context.Background(), camila, EncounterQuery{})
			if tt.wantErr {
				if !errors.Is(err, ErrUpstream) || len(res.Items) != 0 {
					t.Errorf("err = %v, items = %d; want ErrUpstream and no partial list", err, len(res.Items))
				}
			} else if err != nil || len(res.Items) != 2 || res.Items[0].ID != "enc-1" || res.Items[1].ID != "enc-2" {
				t.Errorf("err = %v, items = %+v; want enc-1 and enc-2 once each", err, res.Items)
			}
			if calls != tt.wantCalls {
				t.Errorf("requests = %d, want %d (one new search, no more)", calls, tt.wantCalls)
			}
		})
	}
}
