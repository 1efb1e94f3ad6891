package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRunSandbox starts `web sandbox` on a free port, reads the FHIR base URL it prints, checks the
// server answers (metadata as XML without Accept, an armed --fail fault), and stops it by cancelling.
func TestRunSandbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runSandbox(ctx, []string{"--addr", "127.0.0.1:0", "--patients", "3", "--fail", "Patient:429:1:3s"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var base, tokenURL string
	for sc.Scan() && base == "" {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "token URL:"); ok {
			tokenURL = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "FHIR base URL:"); ok {
			base = strings.TrimSpace(v)
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" || !strings.HasSuffix(tokenURL, "/interconnect-fhir-oauth/oauth2/token") {
		t.Fatalf("printed base %q token %q", base, tokenURL)
	}

	resp, err := http.Get(base + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/fhir+xml") {
		t.Errorf("metadata: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Get(base + "/Patient?identifier=MRN|203713")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("armed fault: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runSandbox: %v", err)
	}
}

func TestParseFailFlag(t *testing.T) {
	tests := []struct {
		in      string
		prefix  string
		n       int
		wantErr bool
	}{
		{"Observation:503", "Observation", 1, false},
		{"/interconnect-fhir-oauth/oauth2/token:500:2", "/interconnect-fhir-oauth/oauth2/token", 2, false},
		{"Patient:429:3:2s", "Patient", 3, false},
		{"Patient:teapot", "", 0, true},
		{"Patient", "", 0, true},
		{"Patient:500:0", "", 0, true},
	}
	for _, tt := range tests {
		prefix, n, _, err := parseFailFlag(tt.in)
		if (err != nil) != tt.wantErr || prefix != tt.prefix || n != tt.n {
			t.Errorf("parseFailFlag(%q) = %q, %d, %v", tt.in, prefix, n, err)
		}
	}
}
