package views

import "testing"

func TestLooksNumeric(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"7.20", true}, {"<5", true}, {"≤ 0.01", true}, {"118/76", true}, {"1 : 160", true}, {"-2", true},
		{"Negative", false}, {"Former smoker", false}, {"5–7 h", false}, {"No growth at 5 days.", false},
		{NotRecorded + ": Patient refused", false}, {"", false}, {"—", false},
	} {
		if got := looksNumeric(tc.value); got != tc.want {
			t.Errorf("looksNumeric(%q) = %v, want %v", tc.value, got, tc.want)
		}
	}
}

// Numbers line up on the right of the value column; words start on its left.
func TestValueCellAlignment(t *testing.T) {
	d := doc(t, ObsTableView(ObsTable{Caption: "Labs", TestID: "labs-table", Rows: fixtureRows()}))
	for name, want := range map[string]string{"Potassium": "num value-critical", "Hemoglobin A1C": "num", "Genotype:": "text", "CRP": "num", "Smoking": "text"} {
		row := d.Find(`tr:has(th:contains("` + name + `"))`)
		if got, _ := row.Find("td").First().Attr("class"); got != want {
			t.Errorf("%s value cell class = %q, want %q", name, got, want)
		}
	}
}
