package handlers_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestCorrectedResultsStayVisibleAndNeverLatest: Inês Carvalho (400011) had results corrected at her
// last visit. Every one of them is on her chart, marked with its status, and none that was entered
// in error or cancelled passes for her latest value or for an abnormal day:
//   - her newest blood pressure, 212/128, was entered in error: the strip shows the reading before
//     it, the vitals table keeps it struck out;
//   - a hemolysed potassium of 6.9 (High) was entered in error and redrawn at 4.1: the table keeps
//     it with Epic's note, the matrix says "entered in error" and flags nothing for it;
//   - a troponin was cancelled: the table says its value was not recorded, and why;
//   - an amended hemoglobin and a preliminary culture carry their status as a tag.
func TestCorrectedResultsStayVisibleAndNeverLatest(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("400011")

	rowText := func(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }
	rowsOf := func(d *goquery.Document, class, name string) []*goquery.Selection {
		var out []*goquery.Selection
		d.Find(`tr[data-testid="obs-row"]`).Each(func(_ int, r *goquery.Selection) {
			c, _ := r.Attr("class")
			if c == class && strings.HasPrefix(rowText(r.Find("th, td").First()), name) {
				out = append(out, r)
			}
		})
		return out
	}

	strip := b.get(chart+"/vitals-strip", hxReq).doc(t)
	bp := rowText(strip.Find(`[data-testid="vital-tile"]`).First())
	if !strings.HasPrefix(bp, "BP ") || strings.Contains(bp, "212/128") {
		t.Errorf("vitals strip's BP tile = %q: want the reading before the one entered in error", bp)
	}

	vitals := b.get(chart+"/vitals", hxReq).doc(t)
	wrong := rowsOf(vitals, "row-error", "BP")
	if len(wrong) != 1 || !strings.Contains(rowText(wrong[0]), "212/128") || !strings.Contains(rowText(wrong[0]), "entered-in-error") {
		t.Errorf("vitals table's erroneous BP rows: %d, want the 212/128 one marked entered-in-error", len(wrong))
	}
	if first := vitals.Find(`tr[data-testid="obs-row"]`).First(); !first.HasClass("row-error") {
		t.Errorf("vitals table's newest row %q is not the erroneous BP: the table must keep it, newest first", rowText(first))
	}

	labs := b.get(chart+"/labs", hxReq).doc(t)
	k := rowsOf(labs, "row-error", "Potassium")
	if len(k) != 1 {
		t.Fatalf("labs table: %d erroneous potassium rows, want 1", len(k))
	}
	for _, want := range []string{"6.9", "Specimen hemolyzed", "▲ High", "entered-in-error"} {
		if !strings.Contains(rowText(k[0]), want) {
			t.Errorf("erroneous potassium row %q lacks %q", rowText(k[0]), want)
		}
	}
	if redraw := rowsOf(labs, "", "Potassium"); len(redraw) == 0 || !strings.Contains(rowText(redraw[0]), "4.1") {
		t.Error("the redrawn potassium (4.1) is not the newest live potassium row")
	}
	trop := rowsOf(labs, "row-cancelled", "Troponin T")
	if len(trop) != 1 || !strings.Contains(rowText(trop[0]), "Not recorded: Not Performed") || !strings.Contains(rowText(trop[0]), "Cancelled: duplicate order.") {
		t.Errorf("cancelled troponin rows = %d; want one saying its value was not recorded and why", len(trop))
	}
	for _, tc := range []struct{ name, status string }{{"Hemoglobin", "amended"}, {"Blood culture", "preliminary"}} {
		rows := rowsOf(labs, "", tc.name)
		if len(rows) == 0 || rowText(rows[0].Find(".tag-status")) != tc.status {
			t.Errorf("newest %s row does not carry the tag %q", tc.name, tc.status)
		}
	}

	matrix := b.get(chart+"/labs?view=matrix", hxReq).doc(t)
	var cell *goquery.Selection
	matrix.Find("td").EachWithBreak(func(_ int, c *goquery.Selection) bool {
		if strings.Contains(c.Text(), "6.9") {
			cell = c
			return false
		}
		return true
	})
	if cell == nil {
		t.Fatal("the matrix has no cell with the erroneous potassium")
	}
	if !strings.Contains(rowText(cell), "(entered in error)") || cell.Find(`[data-testid="flag"]`).Length() != 0 {
		t.Errorf("matrix cell of the erroneous potassium = %q: want it said as entered in error and unflagged", rowText(cell))
	}
}
