package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// rowsDoc parses a fragment of table rows the way htmx does, inside a table body.
func rowsDoc(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader("<table><tbody>" + renderHTML(t, c) + "</tbody></table>"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return d
}

func TestObsTableShowOlder(t *testing.T) {
	v := fixtureVitals()
	v.More = &TableMore{ID: "vitals-table-more", RowsID: "vitals-table-rows", Text: "Showing the newest 2 of 207 results.",
		URL: "/chart/h1/vitals?before=Xk2pQ7-sealed_cursor&more=1", Context: "vital signs"}
	d := doc(t, ObsFragment(v))
	checkStrictCSP(t, d)
	body := d.Find(tid("vitals-table") + " tbody")
	if id, _ := body.Attr("id"); id != "vitals-table-rows" || body.Find(tid("obs-row")).Length() != 2 {
		t.Errorf("table body id %q with %d rows, want vitals-table-rows with 2", id, body.Find(tid("obs-row")).Length())
	}
	line := d.Find(tid("table-more"))
	if id, _ := line.Attr("id"); id != "vitals-table-more" {
		t.Errorf("line id = %q", id)
	}
	if got := text(line); got != "Showing the newest 2 of 207 results. Show older vital signs" {
		t.Errorf("line = %q", got)
	}
	if live, _ := line.Attr("aria-live"); live != "polite" {
		t.Errorf("line aria-live = %q: screen readers would not hear the new count", live)
	}
	older := line.Find(tid("show-older"))
	for attr, want := range map[string]string{
		"href": v.More.URL, "hx-get": v.More.URL, "hx-target": "#vitals-table-rows", "hx-swap": "beforeend",
	} {
		if got, _ := older.Attr(attr); got != want {
			t.Errorf("Show older %s = %q, want %q", attr, got, want)
		}
	}
	if text(older.Find(".visually-hidden")) != "vital signs" {
		t.Error("Show older does not say what it loads to screen readers")
	}

	// A table that shows every row has no line and no id on its body.
	d = doc(t, ObsFragment(fixtureVitals()))
	if d.Find(tid("table-more")).Length() != 0 {
		t.Error("line shown for a complete table")
	}
	if _, ok := d.Find(tid("vitals-table") + " tbody").Attr("id"); ok {
		t.Error("complete table body has an id")
	}
}

func TestObsMoreFragment(t *testing.T) {
	m := ObsMore{Rows: fixtureRows(), More: TableMore{ID: "labs-table-more", RowsID: "labs-table-rows",
		Text: "Showing the newest 105 of 600 results.", URL: "/chart/h1/labs?before=x&more=1", Context: "lab results"}}
	html := renderHTML(t, ObsMoreFragment(m))
	if !strings.HasPrefix(html, "<tr") {
		t.Errorf("the answer must start with the rows htmx appends: %.80q", html)
	}
	d := rowsDoc(t, ObsMoreFragment(m))
	checkStrictCSP(t, d)
	if n := d.Find("tbody " + tid("obs-row")).Length(); n != len(m.Rows) {
		t.Errorf("rows = %d, want %d", n, len(m.Rows))
	}
	if d.Find("section, table caption, thead").Length() != 0 {
		t.Error("the answer repeats the section or the table's head")
	}
	oob := d.Find("#labs-table-more")
	if sw, _ := oob.Attr("hx-swap-oob"); sw != "innerHTML" {
		t.Errorf("line hx-swap-oob = %q, want innerHTML (the line keeps its aria-live)", sw)
	}
	if got := text(oob); got != "Showing the newest 105 of 600 results. Show older lab results" {
		t.Errorf("line = %q", got)
	}
	if tg, _ := oob.Find(tid("show-older")).Attr("hx-target"); tg != "#labs-table-rows" {
		t.Errorf("next Show older target = %q", tg)
	}

	// The last page: the line says so and offers nothing more.
	m.More.Text, m.More.URL = "Showing all 600 results.", ""
	d = rowsDoc(t, ObsMoreFragment(m))
	if text(d.Find("#labs-table-more")) != "Showing all 600 results." || d.Find(tid("show-older")).Length() != 0 {
		t.Errorf("last page line = %q", text(d.Find("#labs-table-more")))
	}
}

func TestSocialHistoryTable(t *testing.T) {
	s := fixtureSocialItems()
	d := doc(t, SocialFragment(s))
	checkStrictCSP(t, d)
	table := d.Find(tid("social-table"))
	if n := table.Find(`thead th[scope="col"]`).Length(); n != 8 {
		t.Errorf("column headers with scope = %d, want 8", n)
	}
	items := table.Find(tid("obs-row") + ":not(.earlier)")
	if items.Length() != 3 {
		t.Fatalf("item rows = %d, want 3", items.Length())
	}
	smoking := items.Eq(0)
	for header, want := range map[string]string{
		"Name": "Tobacco smoking status", "Value": "Former smokerType: Cigarettes", "Date/time": "Mar 1, 2026",
		"Status": "final", "Earlier values": "History (12), earlier values of Tobacco smoking status",
	} {
		if got := text(cellUnder(table, smoking, header)); got != want {
			t.Errorf("smoking %s = %q, want %q", header, got, want)
		}
	}
	h := smoking.Find(tid("social-history"))
	for attr, want := range map[string]string{
		"href": s.Items[0].HistoryURL, "hx-get": s.Items[0].HistoryURL, "hx-target": "closest tr", "hx-swap": "outerHTML",
	} {
		if got, _ := h.Attr(attr); got != want {
			t.Errorf("History %s = %q, want %q", attr, got, want)
		}
	}
	if got := text(cellUnder(table, items.Eq(1), "Earlier values")); got != "None" || items.Eq(1).Find("a").Length() != 0 {
		t.Errorf("item without earlier values: %q", got)
	}
	// The expanded item: its earlier value follows its row, marked as earlier, struck through
	// when entered in error, and it has a row header like every row.
	earlier := table.Find("tr.earlier")
	if earlier.Length() != 1 || !earlier.HasClass("row-error") || earlier.Prev().Get(0) != items.Eq(2).Get(0) {
		t.Fatalf("earlier rows = %d (must follow their item, keep their status class)", earlier.Length())
	}
	if got := text(earlier.Find(`th[scope="row"]`)); got != "Earlier: Drug use" {
		t.Errorf("earlier row header = %q", got)
	}
	if got := text(cellUnder(table, items.Eq(2), "Earlier values")); got != "1 earlier, listed below" {
		t.Errorf("expanded item says %q", got)
	}

	// The History control's answer replaces the item's row with the rows of the expanded item.
	it := s.Items[2]
	rd := rowsDoc(t, SocialItemFragment(it))
	if rd.Find("tbody tr").Length() != 2 || rd.Find("tbody tr.earlier").Length() != 1 || rd.Find("section").Length() != 0 {
		t.Errorf("item answer:\n%s", renderHTML(t, SocialItemFragment(it)))
	}
}

func TestLabsOlderSuggestion(t *testing.T) {
	l := fixtureLabs(false)
	l.Table.Rows = nil
	l.Table.Empty = "No lab results in the last year."
	l.Older = &Suggestion{Text: "Older lab results are on record.", Label: "Show all lab results", URL: "/chart/h1/labs?range=all"}
	d := doc(t, LabsFragment(l))
	if text(d.Find(tid("labs-table-empty"))) != "No lab results in the last year." {
		t.Errorf("empty message = %q", text(d.Find(tid("labs-table-empty"))))
	}
	hint := d.Find(tid("labs-older"))
	if got := text(hint); got != "Older lab results are on record. Show all lab results" {
		t.Errorf("hint = %q", got)
	}
	link := hint.Find(tid("labs-older-link"))
	for attr, want := range map[string]string{"href": l.Older.URL, "hx-get": l.Older.URL, "hx-target": "#" + LabsID, "hx-swap": "outerHTML"} {
		if got, _ := link.Attr(attr); got != want {
			t.Errorf("hint link %s = %q, want %q", attr, got, want)
		}
	}
	l.Older = nil
	if doc(t, LabsFragment(l)).Find(tid("labs-older")).Length() != 0 {
		t.Error("hint shown without a suggestion")
	}
}

// A measured number without a unit says so in the unit column (an empty cell would pass for a
// complete result); a unit that was sent is shown as sent.
func TestObsRowUnitNotSent(t *testing.T) {
	rows := fixtureRows()[:2]
	rows[1].Unit, rows[1].NoUnit = "", true
	d := doc(t, ObsFragment(ObsTable{Section: fixtureSection(LabsID, "Labs"), Rows: rows, TestID: "labs-table"}))
	cells := d.Find(tid("obs-row")).Map(func(_ int, r *goquery.Selection) string { return text(r.Find("td").Eq(1)) })
	if want := []string{"mmol/L", "unit not sent"}; strings.Join(cells, "|") != strings.Join(want, "|") {
		t.Errorf("unit cells = %q, want %q", cells, want)
	}
	if d.Find(tid("no-unit")).Length() != 1 {
		t.Error("the missing unit is not marked")
	}
}
