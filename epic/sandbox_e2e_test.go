package epic_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
)

// TestAgainstSandbox runs the client end to end against the embedded Epic sandbox, which checks
// assertions by Epic's rules: discovery, token, Check, and every search for Camila Lopez.
func TestAgainstSandbox(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Patients: 5})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	// EC keys are accepted only through a JWK Set URL, as on Epic: publish the set with
	// JWKSHandler and register its URL.
	key, err := epic.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	jwksSrv := httptest.NewServer(epic.JWKSHandler([]*epic.Key{key}))
	defer jwksSrv.Close()
	const clientID = "chartside-e2e"
	sb.RegisterClient(clientID, sandbox.ClientKeys{JWKSURL: jwksSrv.URL + "/.well-known/jwks.json"})
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	c, err := epic.New(epic.Config{
		FHIRBaseURL: srv.URL + sandbox.FHIRBasePath,
		ClientID:    clientID,
		Keys:        []*epic.Key{key},
		MRNSystem:   sandbox.MRNSystem,
		JWKSURL:     jwksSrv.URL + "/.well-known/jwks.json",
		HTTPClient:  &http.Client{Transport: transport},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	var out bytes.Buffer
	if err := c.Check(ctx, &out, ""); err != nil {
		t.Fatalf("Check: %v\n%s", err, out.String())
	}

	pats, err := c.SearchPatientsByMRN(ctx, "203713")
	if err != nil {
		t.Fatal(err)
	}
	if len(pats.Items) != 1 {
		t.Fatalf("patients for MRN 203713 = %d, want 1", len(pats.Items))
	}
	p, err := c.ReadPatient(ctx, pats.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := p.OfficialNameAt(time.Now(), time.UTC); n.Family != "Lopez" {
		t.Errorf("family = %q, want Lopez", n.Family)
	}
	enc, err := c.SearchEncounters(ctx, p.ID, epic.EncounterQuery{})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := c.SearchObservations(ctx, p.ID, epic.ObservationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(enc.Items) == 0 || len(obs.Items) == 0 {
		t.Errorf("encounters = %d, observations = %d; want some of each", len(enc.Items), len(obs.Items))
	}
	if err := c.TokenStatus(); err != nil {
		t.Errorf("TokenStatus = %v", err)
	}
}
