package epic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
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
