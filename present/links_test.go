package present

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

func TestLinkRange(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ago := func(y, m, d int) time.Time { return now.AddDate(-y, -m, -d) }
	tests := []struct {
		name  string
		shown Range
		at    time.Time
		want  Range
	}{
		{"in the table's year", Range1Y, ago(0, 3, 0), Range1Y},
		{"All stays All", RangeAll, ago(0, 0, 1), RangeAll},
		{"a week's result", Range1W, ago(0, 0, 3), Range1W},
		{"older than the week: a month", Range1W, ago(0, 0, 10), Range1M},
		{"older than 6 months: a year", Range6M, ago(0, 8, 0), Range1Y},
		{"years old: All", Range1Y, ago(3, 0, 0), RangeAll},
		{"a day from the year's start: out of it by tomorrow", Range1Y, ago(1, 0, 0).Add(12 * time.Hour), RangeAll},
		{"two days from the month's start", Range1M, ago(0, 1, 0).Add(48 * time.Hour), Range1M},
		{"undated", Range1W, time.Time{}, RangeAll},
		{"not a preset", Range("2y"), ago(0, 0, 1), RangeAll},
	}
	for _, tt := range tests {
		if got := LinkRange(tt.shown, tt.at, now); got != tt.want {
			t.Errorf("%s: LinkRange(%s, %s) = %s, want %s", tt.name, tt.shown, tt.at.Format(time.DateTime), got, tt.want)
		}
	}
}

// linkRange is the range= of an analyte link made by testLinks ("" for none).
func linkRange(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(strings.Replace(link, "|", "%7C", 1))
	if err != nil {
		t.Fatalf("%q: %v", link, err)
	}
	return u.Query().Get("range")
}

// A row's analyte link opens the range of its table, widened to hold the row's result; the
// matrix's test link holds the test's oldest result; links of no table's range name none.
func TestAnalyteLinksHoldTheirResult(t *testing.T) {
	now := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	obs := []fhir.Observation{
		glucose(t, "2024-06-28T10:00:00Z", "110", "mg/dL", "H"),
		glucose(t, "2024-03-01T10:00:00Z", "90", "mg/dL", ""),
		glucose(t, "2021-01-01T10:00:00Z", "95", "mg/dL", ""),
	}
	links := testLinks()
	links.AnalyteRange, links.Now = Range1M, now
	var got []string
	for _, r := range ObservationRows(obs, time.UTC, links) {
		got = append(got, linkRange(t, r.AnalyteURL))
	}
	if want := "1m 6m all"; strings.Join(got, " ") != want {
		t.Errorf("row links open %q, want %q", strings.Join(got, " "), want)
	}
	if r := linkRange(t, LabMatrix(obs, time.UTC, links).Rows[0].AnalyteURL); r != "all" {
		t.Errorf("the matrix's Glucose opens %q, want all (its oldest result is from 2021)", r)
	}
	if r := linkRange(t, LabMatrix(obs[:2], time.UTC, links).Rows[0].AnalyteURL); r != "6m" {
		t.Errorf("the matrix's Glucose opens %q, want 6m (its oldest result is from March)", r)
	}
	if r := linkRange(t, ObservationRow(obs[2], time.UTC, testLinks()).AnalyteURL); r != "" {
		t.Errorf("without a table's range the link opens %q, want none", r)
	}
}

// An analyte's history is named after its results, in the range or not, or the older one Epic
// returned for an empty range, else after its code; never "Results".
func TestAnalyteName(t *testing.T) {
	now := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	const code = "http://loinc.org|2345-7"
	old := glucose(t, "2021-01-01T10:00:00Z", "95", "mg/dL", "")
	renamed := obsFrom(t, `{"code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}],"text":"Glucose, serum"},"effectiveDateTime":"2024-06-28T10:00:00Z","valueQuantity":{"value":110}}`)
	tests := []struct {
		name        string
		obs, before []fhir.Observation
		code        string
		want        string
	}{
		{"newest in the range", []fhir.Observation{old, renamed}, nil, code, "Glucose, serum"},
		{"returned but out of the range", []fhir.Observation{old}, nil, code, "Glucose"},
		{"only an older one", nil, []fhir.Observation{old}, code, "Glucose"},
		{"none: LOINC code", nil, nil, code, "LOINC 2345-7"},
		{"none: Epic's code", nil, nil, "urn:oid:1.2.840.114350.1.13.0.1.7.2.768282|1811482", "Code 1811482"},
		{"none: bare code", nil, nil, "2345-7", "Code 2345-7"},
	}
	for _, tt := range tests {
		a := Analyte(tt.obs, tt.before, tt.code, Range1W, now, time.UTC, testLinks())
		if a.Name != tt.want {
			t.Errorf("%s: named %q, want %q", tt.name, a.Name, tt.want)
		}
		if len(tt.before) > 0 && len(a.Table.Rows) != 0 {
			t.Errorf("%s: the older result is listed", tt.name)
		}
	}
}

// Two encounters' result tables are regions named apart.
func TestEncounterObservationsCaption(t *testing.T) {
	loc := chicago(t)
	encs := bundleOf[fhir.Encounter](t, "encounter-search-sandbox-camila-lopez.json", "Encounter")
	seen := map[string]string{}
	for _, e := range encs {
		c := EncounterDetail(e, nil, nil, loc, testLinks()).Observations.Caption
		if !strings.HasPrefix(c, "Observations recorded in this encounter (") {
			t.Errorf("%s: caption %q does not say which encounter", e.ID, c)
		}
		if other, dup := seen[c]; dup {
			t.Errorf("%s and %s are both captioned %q", other, e.ID, c)
		}
		seen[c] = e.ID
	}
	if got := EncounterDetail(fhir.Encounter{}, nil, nil, loc, testLinks()).Observations.Caption; got != "Observations recorded in this encounter" {
		t.Errorf("an encounter without type or time: caption %q", got)
	}
}
