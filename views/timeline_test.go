package views

import "testing"

// An encounter's Details control is a disclosure: it says it is collapsed, names the slot its
// details are loaded into, and carries both labels for app.js to switch between (the stylesheet
// shows the one matching aria-expanded). Without JavaScript it is still a link to the encounter.
func TestEncounterToggleIsDisclosure(t *testing.T) {
	d := doc(t, TimelineFragment(fixtureTimeline()))
	exp := d.Find(tid("encounter")).First().Find(tid("encounter-expand"))
	if exp.Length() != 1 {
		t.Fatal("no Details control on the first encounter")
	}
	attr := func(name string) string { v, _ := exp.Attr(name); return v }
	if got := attr("aria-expanded"); got != "false" {
		t.Errorf("aria-expanded = %q, want false", got)
	}
	slot := attr("aria-controls")
	if slot == "" || d.Find("#"+slot+".encounter-detail-slot").Length() != 1 {
		t.Errorf("aria-controls = %q, want the id of the encounter's detail slot", slot)
	}
	if got := attr("hx-target"); got != "#"+slot {
		t.Errorf("hx-target = %q, want the slot aria-controls names (#%s)", got, slot)
	}
	if got := attr("href"); got != "/chart/h1/encounters/a" {
		t.Errorf("href = %q, want the encounter's page for browsers without JavaScript", got)
	}
	for sel, want := range map[string]string{".if-collapsed": "Details", ".if-expanded": "Hide details"} {
		if got := text(exp.Children().Filter(sel)); got != want {
			t.Errorf("label %s = %q, want %q", sel, got, want)
		}
	}
}
