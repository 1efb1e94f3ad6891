package present

import (
	"strings"
	"testing"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

func TestWarnings(t *testing.T) {
	tests := []struct {
		name      string
		in        []epic.Warning
		wantLevel []views.AlertLevel
	}{
		{"none", nil, nil},
		{"no results is not a warning", []epic.Warning{{Severity: "warning", Code: "4101", Text: "No results"}}, nil},
		{"suppressed", []epic.Warning{{Severity: "warning", Code: "59204", Text: "x"}}, []views.AlertLevel{views.AlertWarning}},
		{"truncated", []epic.Warning{{Severity: "warning", Code: epic.WarningCodeTruncated, Text: "more pages"}}, []views.AlertLevel{views.AlertWarning}},
		{"error", []epic.Warning{{Severity: "error", Code: "processing", Text: "boom"}}, []views.AlertLevel{views.AlertError}},
		{"information", []epic.Warning{{Severity: "information", Code: "4122", Text: "unknown parameter"}}, []views.AlertLevel{views.AlertInfo}},
		{"duplicates collapse", []epic.Warning{{Severity: "warning", Code: "59204", Text: "a"}, {Severity: "warning", Code: "59204", Text: "a"}}, []views.AlertLevel{views.AlertWarning}},
		{"two kinds left out: one note", []epic.Warning{{Severity: "warning", Code: "59204", Text: "a"}, {Severity: "warning", Code: "59204", Text: "b"}}, []views.AlertLevel{views.AlertWarning}},
		{"suppressed beside truncated", []epic.Warning{{Severity: "warning", Code: "59204", Text: "a"}, {Severity: "warning", Code: epic.WarningCodeTruncated, Text: "more"}, {Severity: "warning", Code: "59204", Text: "b"}}, []views.AlertLevel{views.AlertWarning, views.AlertWarning}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Warnings(tt.in)
			if len(got) != len(tt.wantLevel) {
				t.Fatalf("got %+v, want levels %v", got, tt.wantLevel)
			}
			for i, a := range got {
				if a.Level != tt.wantLevel[i] || a.Title == "" {
					t.Errorf("alert %d = %+v, want level %q with a title", i, a, tt.wantLevel[i])
				}
			}
		})
	}
	if got := Warnings([]epic.Warning{{Severity: "warning", Code: epic.WarningCodeTruncated, Text: "narrow the date range"}}); got[0].Detail != "narrow the date range" {
		t.Errorf("truncation detail = %q", got[0].Detail)
	}
}

// Each chart section's "not the complete record" note says what its own search left out, in Epic's
// words from the real captures: outside encounters on the timeline, outside results in labs,
// outside vital signs in vitals. Before, all of them read the same and Epic's words were dropped.
func TestSuppressedSaysWhatWasLeftOut(t *testing.T) {
	tests := []struct{ capture, want string }{
		{"encounter-search-sandbox-camila-lopez.json", "Client not authorized for Encounter - Outside Record."},
		{"observation-search-laboratory-sandbox-camila-lopez.json", "Client not authorized for Observation - Outside Record Results."},
		{"observation-search-laboratory-sandbox-no-results-outcome.json", "Client not authorized for Observation - Outside Record Results."},
		{"observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json", "Client not authorized for Observation - Outside Record Vital Signs."},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			got := Warnings(captureWarnings(t, tt.capture))
			if len(got) != 1 {
				t.Fatalf("alerts = %+v, want the one note (4101 no results is not one)", got)
			}
			if !strings.Contains(got[0].Detail, tt.want) || !strings.Contains(got[0].Detail, "Check Epic directly") {
				t.Errorf("detail = %q, want Epic's %q and where to look", got[0].Detail, tt.want)
			}
		})
	}
}

// captureWarnings reads a captured searchset's outcome issues as the epic client reports them
// (epic.searchPages: Epic's message number, else the issue code; diagnostics, else details).
func captureWarnings(t *testing.T, name string) []epic.Warning {
	t.Helper()
	var b fhir.Bundle
	readJSON(t, name, &b)
	oos, err := b.Outcomes()
	if err != nil {
		t.Fatalf("outcomes of %s: %v", name, err)
	}
	var ws []epic.Warning
	for _, oo := range oos {
		for _, is := range oo.Issue {
			w := epic.Warning{Severity: is.Severity, Code: is.EpicCode(), Text: is.Text()}
			if w.Code == "" {
				w.Code = is.Code
			}
			ws = append(ws, w)
		}
	}
	return ws
}

// Suppressed results make one compact note per search, however many kinds Epic names (an
// encounter's details search vitals and results at once and got two boxes): its one line says the
// record may be incomplete and why, and its detail keeps Epic's words for every kind. Other
// warnings stay full alerts.
func TestSuppressedIsOneCompactNote(t *testing.T) {
	vitals := captureWarnings(t, "observation-search-vital-signs-sandbox-camila-lopez-TRIMMED.json")
	labs := captureWarnings(t, "observation-search-laboratory-sandbox-camila-lopez.json")
	got := Warnings(append(append(vitals, labs...), vitals...))
	if len(got) != 1 {
		t.Fatalf("alerts = %+v, want one note", got)
	}
	n := got[0]
	if !n.Compact || n.Title != "May be incomplete: outside records not shown" {
		t.Errorf("note = %+v, want compact, titled with what is left out", n)
	}
	for _, want := range []string{"Outside Record Vital Signs.", "Outside Record Results.", "Check Epic directly for the complete record."} {
		if strings.Count(n.Detail, want) != 1 {
			t.Errorf("detail %q: want %q once", n.Detail, want)
		}
	}
	if !strings.HasSuffix(n.Detail, "for the complete record.") {
		t.Errorf("detail %q: want the advice last", n.Detail)
	}

	other := Warnings([]epic.Warning{{Severity: "warning", Code: "59204", Text: "Client not authorized for Observation - Sensitive."}})
	if len(other) != 1 || other[0].Title != "May be incomplete: some records not shown" || !strings.Contains(other[0].Detail, "Sensitive") {
		t.Errorf("a kind that is not an outside record: %+v", other)
	}
	for _, a := range Warnings([]epic.Warning{{Severity: "warning", Code: epic.WarningCodeTruncated, Text: "x"}, {Severity: "error", Code: "processing", Text: "y"}}) {
		if a.Compact {
			t.Errorf("%q is compact: only Epic's standing outside-record warnings are", a.Title)
		}
	}
}
