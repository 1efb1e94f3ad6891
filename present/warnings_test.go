package present

import (
	"testing"

	"github.com/chartside/chartside/epic"
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
		{"duplicates collapse", []epic.Warning{{Severity: "warning", Code: "59204", Text: "a"}, {Severity: "warning", Code: "59204", Text: "b"}}, []views.AlertLevel{views.AlertWarning}},
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
