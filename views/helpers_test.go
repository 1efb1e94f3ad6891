package views

import "testing"

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
