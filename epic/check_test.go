package epic

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name        string
		discover    bool
		tokenStatus int
		tokenBody   string
		wantErr     bool
		wantLines   []string
	}{
		{name: "all good, discovered", discover: true, wantLines: []string{
			"ok   key: 1 configured; signing with RS384",
			"ok   token URL: ", "(discovered from .well-known/smart-configuration)",
			"ok   token: obtained", "2 scopes granted",
			"ok   search: Patient?identifier=" + "urn%3Aoid%3A1.2.840.114350.1.13.0.1.7.5.737384.14|… accepted",
			"all checks passed, except the MRN system, which was not checked", "web check --mrn",
		}},
		{name: "invalid_client", tokenStatus: 400, tokenBody: `{"error":"invalid_client","error_description":null}`, wantErr: true, wantLines: []string{
			"(configured)", "FAIL token: epic: token request failed: 400 invalid_client",
			"fix: aud is not exactly the token URL",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) {
				if tt.discover {
					c.TokenURL = ""
				}
			})
			env.epic.tokenStatus, env.epic.tokenBody = tt.tokenStatus, tt.tokenBody
			env.epic.setFHIR(okPatientSearch(t))
			var out bytes.Buffer
			err := env.client.Check(context.Background(), &out, "")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v\n%s", err, tt.wantErr, out.String())
			}
			for _, l := range tt.wantLines {
				if !strings.Contains(out.String(), l) {
					t.Errorf("output lacks %q:\n%s", l, out.String())
				}
			}
			// The check's search matched a patient in this fake; its data must not be printed.
			for _, phi := range []string{"Mychart", "Allison", "eJzlzKe3KPzAV5TtkxmNivQ3", "tok-", "eyJ"} {
				if strings.Contains(out.String(), phi) {
					t.Errorf("output leaks %q", phi)
				}
			}
			if tt.wantErr {
				var te *TokenError
				if !errors.As(err, &te) || te.Code != "invalid_client" {
					t.Errorf("err = %v, want the TokenError", err)
				}
				if strings.Count(out.String(), "aud is not exactly") != 1 {
					t.Errorf("causes printed more than once:\n%s", out.String())
				}
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	key, err := sharedKey()
	if err != nil {
		t.Fatal(err)
	}
	good := Config{FHIRBaseURL: "https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4/", ClientID: "id", Keys: []*Key{key}, MRNSystem: "MRN"}
	if _, err := New(good); err != nil {
		t.Fatalf("good config: %v", err)
	}
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no base", func(c *Config) { c.FHIRBaseURL = "" }, "FHIR base URL"},
		{"relative base", func(c *Config) { c.FHIRBaseURL = "fhir.epic.com/api" }, "FHIR base URL"},
		{"bad token url", func(c *Config) { c.TokenURL = "ftp://x" }, "token URL"},
		{"no client", func(c *Config) { c.ClientID = " " }, "client ID"},
		{"no keys", func(c *Config) { c.Keys = nil }, "private key"},
		{"no mrn system", func(c *Config) { c.MRNSystem = "" }, "MRN system"},
		{"pipe in mrn system", func(c *Config) { c.MRNSystem = "urn:oid:1|2" }, "MRN system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.mod(&cfg)
			_, err := New(cfg)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrConfig naming %q", err, tt.want)
			}
		})
	}
}

func TestCheckJWKS(t *testing.T) {
	signing, err := sharedKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		published []*Key
		want      string
		wantErr   bool
	}{
		{"published", []*Key{other, signing}, "ok   jwks: ", false},
		{"signing key missing", []*Key{other}, "FAIL jwks: ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(JWKSHandler(tt.published))
			defer srv.Close()
			env := newEnv(t, func(c *Config) { c.JWKSURL = srv.URL + "/.well-known/jwks.json" })
			env.epic.setFHIR(okPatientSearch(t))
			var out bytes.Buffer
			err := env.client.Check(context.Background(), &out, "")
			if (err != nil) != tt.wantErr || !strings.Contains(out.String(), tt.want) {
				t.Errorf("err = %v, output:\n%s\nwant %q", err, out.String(), tt.want)
			}
		})
	}
}
