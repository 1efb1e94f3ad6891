package present

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

func glucose(t *testing.T, when, value, unit, interp string) fhir.Observation {
	t.Helper()
	js := `{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}],"text":"Glucose"},
		"effectiveDateTime":"` + when + `","valueQuantity":{"value":` + value + `,"unit":"` + unit + `"},
		"referenceRange":[{"low":{"value":70,"unit":"mg/dL"},"high":{"value":100,"unit":"mg/dL"}}]`
	if interp != "" {
		js += `,"interpretation":[{"text":"` + interp + `"}]`
	}
	return obsFrom(t, js+"}")
}

func TestTrendChartGeometry(t *testing.T) {
	obs := []fhir.Observation{
		glucose(t, "2024-01-03T10:00:00Z", "150", "mg/dL", "H"), // newest
		glucose(t, "2024-01-01T10:00:00Z", "70", "mg/dL", ""),   // oldest
		glucose(t, "2024-01-02T10:00:00Z", "90", "mg/dL", "N"),
	}
	c, note := TrendChart(obs, "Glucose", "mg/dL", time.UTC)
	if note != "" || c.Empty != "" {
		t.Fatalf("note %q empty %q, want a drawn chart", note, c.Empty)
	}
	if len(c.Points) != 3 {
		t.Fatalf("points = %d, want 3", len(c.Points))
	}
	// Oldest at the left edge, newest at the right edge, time in between proportional.
	if c.Points[0].X != c.PlotLeft || c.Points[2].X != c.PlotRight {
		t.Errorf("x of first/last = %v/%v, want %v/%v", c.Points[0].X, c.Points[2].X, c.PlotLeft, c.PlotRight)
	}
	if mid := (c.PlotLeft + c.PlotRight) / 2; c.Points[1].X != mid {
		t.Errorf("x of middle point = %v, want %v", c.Points[1].X, mid)
	}
	// Higher values are higher on screen (smaller y), all inside the plot.
	if !(c.Points[2].Y < c.Points[1].Y && c.Points[1].Y < c.Points[0].Y) {
		t.Errorf("y not ordered by value: %v %v %v", c.Points[0].Y, c.Points[1].Y, c.Points[2].Y)
	}
	for _, p := range c.Points {
		if p.Y < c.PlotTop || p.Y > c.PlotBottom {
			t.Errorf("point outside the plot: %+v", p)
		}
	}
	// Abnormal marked by shape and label; normal not.
	if !c.Points[2].Abnormal || c.Points[2].Marker != "H" || c.Points[1].Abnormal || c.Points[0].Abnormal {
		t.Errorf("abnormal marking = %+v", c.Points)
	}
	if !strings.Contains(c.Points[2].Title, "150 mg/dL on Jan 3, 2024 10:00, High") {
		t.Errorf("point title = %q", c.Points[2].Title)
	}
	// The band spans 70..100: its bottom is the y of the 70 point.
	if c.Band == nil {
		t.Fatal("no reference band")
	}
	if got := c.Band.Y + c.Band.H; abs(got-c.Points[0].Y) > 0.11 {
		t.Errorf("band bottom %v, want y(70) = %v", got, c.Points[0].Y)
	}
	if c.Band.Label != "Reference range 70–100 mg/dL" {
		t.Errorf("band label = %q", c.Band.Label)
	}
	if len(c.Series) != 1 || !strings.HasPrefix(c.Series[0].Path, "M") || strings.Count(c.Series[0].Path, "L") != 2 {
		t.Errorf("series = %+v", c.Series)
	}
	if len(c.YTicks) < 3 || len(c.XTicks) != 5 {
		t.Errorf("ticks y=%d x=%d", len(c.YTicks), len(c.XTicks))
	}
	for _, tk := range c.YTicks {
		if tk.Pos < c.PlotTop-0.1 || tk.Pos > c.PlotBottom+0.1 {
			t.Errorf("y tick outside the plot: %+v", tk)
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestTrendChartNeverMixesUnits(t *testing.T) {
	obs := []fhir.Observation{
		glucose(t, "2024-01-03T10:00:00Z", "8.3", "mmol/L", ""),
		glucose(t, "2024-01-02T10:00:00Z", "150", "mg/dL", ""),
		obsFrom(t, `{"code":{"text":"Glucose"},"effectiveDateTime":"2024-01-01T10:00:00Z","valueQuantity":{"value":5,"comparator":"<","unit":"mmol/L"}}`),
	}
	c, note := TrendChart(obs, "Glucose", "mmol/L", time.UTC)
	if len(c.Points) != 1 || len(c.Series) != 1 || c.Series[0].Path != "" {
		t.Errorf("points %d series %+v: only the one plain mmol/L value may be drawn", len(c.Points), c.Series)
	}
	if !strings.HasPrefix(note, "2 values listed below are not drawn") {
		t.Errorf("note = %q", note)
	}
	if c.Band != nil {
		t.Errorf("band in mg/dL drawn on a mmol/L chart: %+v", c.Band)
	}
	empty, _ := TrendChart(nil, "Glucose", "mg/dL", time.UTC)
	if empty.Empty == "" || len(empty.Points) != 0 {
		t.Errorf("empty chart = %+v", empty)
	}
}

func TestAnalyte(t *testing.T) {
	now := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	obs := []fhir.Observation{
		glucose(t, "2024-06-28T10:00:00Z", "110", "mg/dL", "H"),
		glucose(t, "2024-06-20T10:00:00Z", "150", "mg/dL", "H"),
		glucose(t, "2024-03-01T10:00:00Z", "90", "mg/dL", ""),
		glucose(t, "2022-01-01T10:00:00Z", "95", "mg/dL", ""),
		obsFrom(t, `{"code":{"coding":[{"system":"http://loinc.org","code":"777-3"}],"text":"Platelets"},"effectiveDateTime":"2024-06-20T10:00:00Z","valueQuantity":{"value":300}}`),
	}
	tests := []struct {
		rng  Range
		want int
	}{{Range1W, 1}, {Range1M, 2}, {Range6M, 3}, {Range1Y, 3}, {RangeAll, 4}}
	for _, tt := range tests {
		t.Run(string(tt.rng), func(t *testing.T) {
			a := Analyte(obs, nil, "http://loinc.org|2345-7", tt.rng, now, time.UTC, testLinks())
			if len(a.Table.Rows) != tt.want || len(a.Chart.Points) != tt.want {
				t.Errorf("rows %d points %d, want %d", len(a.Table.Rows), len(a.Chart.Points), tt.want)
			}
			if a.Name != "Glucose" || a.Unit != "mg/dL" {
				t.Errorf("name/unit = %q/%q", a.Name, a.Unit)
			}
			var current []string
			for _, p := range a.Presets {
				if p.Current {
					current = append(current, p.Label)
				}
			}
			if len(a.Presets) != 5 || len(current) != 1 || current[0] != tt.rng.Label() {
				t.Errorf("presets = %+v", a.Presets)
			}
			if want := "/analyte?code=http://loinc.org|2345-7&range=" + string(tt.rng); a.Presets[indexOf(tt.rng)].URL != want {
				t.Errorf("preset URL = %q, want %q", a.Presets[indexOf(tt.rng)].URL, want)
			}
		})
	}
}

func indexOf(r Range) int {
	for i, x := range Ranges() {
		if x == r {
			return i
		}
	}
	return -1
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		in     string
		want   Range
		wantOK bool
	}{{"", Range1Y, true}, {"1w", Range1W, true}, {"1m", Range1M, true}, {"all", RangeAll, true}, {"2y", Range1Y, false}, {"7d", Range1Y, false}}
	for _, tt := range tests {
		got, ok := ParseRange(tt.in, Range1Y)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRange(%q) = %q %v, want %q %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestLabMatrix(t *testing.T) {
	obs := []fhir.Observation{
		glucose(t, "2024-01-02T15:00:00Z", "150", "mg/dL", "HH"),
		glucose(t, "2024-01-02T20:00:00Z", "140", "mg/dL", "H"),
		glucose(t, "2024-01-01T10:00:00Z", "90", "mg/dL", ""),
		glucose(t, "2023-12-31T10:00:00Z", "8", "mmol/L", ""),
		obsFrom(t, `{"code":{"coding":[{"system":"http://loinc.org","code":"777-3"}],"text":"Platelets"},"effectiveDateTime":"2024-01-01","valueQuantity":{"value":300,"unit":"10*3/uL"}}`),
	}
	m := LabMatrix(obs, time.UTC, testLinks())
	if want := []string{"Jan 2, 2024", "Jan 1, 2024", "Dec 31, 2023"}; strings.Join(m.Dates, "|") != strings.Join(want, "|") {
		t.Errorf("dates = %q, want %q", m.Dates, want)
	}
	if len(m.Rows) != 2 || m.Rows[0].Name != "Glucose" || m.Rows[1].Name != "Platelets" {
		t.Fatalf("rows = %+v", m.Rows)
	}
	g := m.Rows[0]
	if g.Unit != "mg/dL" || g.Range != "70–100 mg/dL" || g.AnalyteURL == "" {
		t.Errorf("glucose row = %+v", g)
	}
	want := []views.MatrixCell{
		// Both results' flags: the 140's High is not dropped behind the 150's Critical high; each
		// result says its own flag and time.
		{Value: "140 H at 20:00; 150 HH at 15:00", Flag: views.Flag{Text: "Critical high", Level: views.FlagCritical, Icon: "‼",
			Also: []views.Flag{{Text: "High", Level: views.FlagHigh, Icon: "▲"}}}},
		{Value: "90"},
		{Value: "8 mmol/L"}, // another unit is spelled out, never merged silently
	}
	for i, c := range g.Cells {
		if !reflect.DeepEqual(c, want[i]) {
			t.Errorf("glucose cell %d = %+v, want %+v", i, c, want[i])
		}
	}
	if p := m.Rows[1].Cells; p[0].Value != "" || p[1].Value != "300" || p[2].Value != "" {
		t.Errorf("platelet cells = %+v", p)
	}
	if empty := LabMatrix(nil, time.UTC, Links{}); len(empty.Rows) != 0 || empty.Empty == "" {
		t.Errorf("empty matrix = %+v", empty)
	}
}

func TestTrendChartBloodPressureTwoSeries(t *testing.T) {
	bp := func(when, sys, dia, sysInterp string) fhir.Observation {
		interp := ""
		if sysInterp != "" {
			interp = `,"interpretation":[{"text":"` + sysInterp + `"}]`
		}
		return obsFrom(t, `{"code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"BP"},"effectiveDateTime":"`+when+`","component":[
			{"code":{"coding":[{"code":"8480-6"}],"text":"Systolic"},"valueQuantity":{"value":`+sys+`,"unit":"mm[Hg]"}`+interp+`},
			{"code":{"coding":[{"code":"8462-4"}],"text":"Diastolic"},"valueQuantity":{"value":`+dia+`,"unit":"mm[Hg]"}}]}`)
	}
	obs := []fhir.Observation{bp("2024-01-02T10:00:00Z", "182", "95", "H"), bp("2024-01-01T10:00:00Z", "120", "80", "")}
	a := Analyte(obs, nil, "http://loinc.org|85354-9", RangeAll, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), time.UTC, Links{})
	c := a.Chart
	if a.Unit != "mm[Hg]" || a.ChartNote != "" {
		t.Errorf("unit %q note %q", a.Unit, a.ChartNote)
	}
	if len(c.Series) != 2 || c.Series[0].Label != "Systolic" || c.Series[1].Label != "Diastolic" || c.Series[0].Dashed || !c.Series[1].Dashed {
		t.Fatalf("series = %+v", c.Series)
	}
	for _, sr := range c.Series {
		if strings.Count(sr.Path, "L") != 1 {
			t.Errorf("series %s path = %q", sr.Label, sr.Path)
		}
	}
	if len(c.Points) != 4 || c.Band != nil {
		t.Errorf("points %d band %+v", len(c.Points), c.Band)
	}
	var marked []string
	for _, p := range c.Points {
		if p.Abnormal {
			marked = append(marked, p.Title)
		}
	}
	if len(marked) != 1 || marked[0] != "Systolic 182 mm[Hg] on Jan 2, 2024 10:00, High" {
		t.Errorf("marked = %q", marked)
	}
}

// TestLabMatrixComponentFlag: a result whose flag is on a component (no flag on the result itself)
// is flagged in the matrix as it is in the table.
func TestLabMatrixComponentFlag(t *testing.T) {
	o := obsFrom(t, `{"status":"final","code":{"text":"Urinalysis"},"effectiveDateTime":"2024-01-01","component":[
		{"code":{"text":"Protein"},"valueString":"3+","interpretation":[{"text":"A"}]},
		{"code":{"text":"Glucose"},"valueString":"Negative"}]}`)
	m := LabMatrix([]fhir.Observation{o}, time.UTC, Links{})
	if len(m.Rows) != 1 || len(m.Rows[0].Cells) != 1 {
		t.Fatalf("rows = %+v", m.Rows)
	}
	if c := m.Rows[0].Cells[0]; c.Flag.Level != views.FlagAbnormal {
		t.Errorf("cell = %+v, want the component's Abnormal flag", c)
	}
}

// TestTrendChartNoBandForSeveralRanges: with several reference ranges (female and male) no band is
// drawn, since the chart cannot know which one is the patient's; one range draws its band.
func TestTrendChartNoBandForSeveralRanges(t *testing.T) {
	hgb := func(when, value, ranges string) fhir.Observation {
		return obsFrom(t, `{"status":"final","code":{"text":"Hemoglobin"},"effectiveDateTime":"`+when+`",
			"valueQuantity":{"value":`+value+`,"unit":"g/dL"},"referenceRange":[`+ranges+`]}`)
	}
	const female = `{"low":{"value":12.0,"unit":"g/dL"},"high":{"value":16.0,"unit":"g/dL"},"appliesTo":[{"text":"Female"}]}`
	const male = `{"low":{"value":13.5,"unit":"g/dL"},"high":{"value":17.5,"unit":"g/dL"},"appliesTo":[{"text":"Male"}]}`
	two := []fhir.Observation{hgb("2024-01-02T10:00:00Z", "13.0", female+","+male), hgb("2024-01-01T10:00:00Z", "14.0", female+","+male)}
	if c, _ := TrendChart(two, "Hemoglobin", "g/dL", time.UTC); c.Band != nil {
		t.Errorf("band drawn from one of two ranges: %+v", c.Band)
	}
	one := []fhir.Observation{hgb("2024-01-02T10:00:00Z", "13.0", female), hgb("2024-01-01T10:00:00Z", "14.0", female)}
	if c, _ := TrendChart(one, "Hemoglobin", "g/dL", time.UTC); c.Band == nil || c.Band.Label != "Reference range Female: 12.0–16.0 g/dL" {
		t.Errorf("band of the one range = %+v", c.Band)
	}
}

// TestAnalyteUnitFromNewestValue: when the newest result has no value (data absent: a hemolysed
// sample), the chart takes its unit from the newest result that has one and still draws the others.
func TestAnalyteUnitFromNewestValue(t *testing.T) {
	obs := []fhir.Observation{
		obsFrom(t, `{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}],"text":"Glucose"},
			"effectiveDateTime":"2024-01-04T10:00:00Z","dataAbsentReason":{"text":"Specimen hemolyzed"}}`),
		obsFrom(t, `{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}],"text":"Glucose"},
			"effectiveDateTime":"2024-01-03T10:00:00Z","valueQuantity":{"unit":"mg/dL"}}`),
		glucose(t, "2024-01-02T10:00:00Z", "150", "mg/dL", "H"),
		glucose(t, "2024-01-01T10:00:00Z", "90", "mg/dL", ""),
	}
	a := Analyte(obs, nil, "http://loinc.org|2345-7", RangeAll, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), time.UTC, Links{})
	if a.Unit != "mg/dL" || len(a.Chart.Points) != 2 || len(a.Table.Rows) != 4 {
		t.Errorf("unit %q, %d points, %d rows; want mg/dL, 2 points, 4 rows", a.Unit, len(a.Chart.Points), len(a.Table.Rows))
	}
	if !strings.HasPrefix(a.ChartNote, "2 values listed below are not drawn") {
		t.Errorf("note = %q", a.ChartNote)
	}
}

// TestLabMatrixStatus: a result that is not final says so in its cell, as the table's status tag
// does; an entered-in-error or cancelled result's flag does not flag the cell.
func TestLabMatrixStatus(t *testing.T) {
	lab := func(status, day, value, interp string) fhir.Observation {
		js := `{"status":"` + status + `","code":{"coding":[{"system":"http://loinc.org","code":"2823-3"}],"text":"Potassium"},"effectiveDateTime":"` + day + `"`
		if value != "" {
			js += `,"valueQuantity":{"value":` + value + `,"unit":"mmol/L"}`
		}
		if interp != "" {
			js += `,"interpretation":[{"text":"` + interp + `"}]`
		}
		return obsFrom(t, js+"}")
	}
	crit := views.Flag{Text: "Critical high", Level: views.FlagCritical, Icon: "‼"}
	tests := []struct {
		name string
		obs  []fhir.Observation
		want views.MatrixCell
	}{
		{"final", []fhir.Observation{lab("final", "2024-01-01", "6.8", "HH")}, views.MatrixCell{Value: "6.8", Flag: crit}},
		{"preliminary", []fhir.Observation{lab("preliminary", "2024-01-01", "6.8", "HH")}, views.MatrixCell{Value: "6.8 (preliminary)", Flag: crit}},
		{"corrected", []fhir.Observation{lab("corrected", "2024-01-01", "4.1", "")}, views.MatrixCell{Value: "4.1 (corrected)"}},
		{"cancelled", []fhir.Observation{lab("cancelled", "2024-01-01", "", "")}, views.MatrixCell{Value: "Not recorded (cancelled)"}},
		{"entered in error does not flag the cell", []fhir.Observation{
			lab("final", "2024-01-01T10:00:00Z", "4.0", ""), lab("entered-in-error", "2024-01-01T09:00:00Z", "6.8", "HH")},
			views.MatrixCell{Value: "4.0 at 10:00; 6.8 (entered in error) at 09:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := LabMatrix(tt.obs, time.UTC, Links{})
			if len(m.Rows) != 1 || len(m.Rows[0].Cells) != 1 {
				t.Fatalf("rows = %+v", m.Rows)
			}
			if got := m.Rows[0].Cells[0]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("cell = %+v, want %+v", got, tt.want)
			}
		})
	}
}
