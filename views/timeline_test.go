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

// A row whose only named participant is the referrer says so by role: "Referrer: …", never
// "Clinician: …" (Camila Lopez's echo named the referring nurse practitioner as its clinician).
// A row without a role says "Clinician", on the timeline and on the encounter's own page.
func TestEncounterRowNamesRole(t *testing.T) {
	tl := fixtureTimeline()
	tl.Groups[0].Entries[1].ClinicianRole = "Referrer"
	d := doc(t, TimelineFragment(tl))
	rows := d.Find(tid("encounter-clinician"))
	if got, want := text(rows.Eq(0)), "Clinician: Physician Family Medicine, MD"; got != want {
		t.Errorf("first row = %q, want %q", got, want)
	}
	if got, want := text(rows.Eq(1)), "Referrer: Np Family Medicine, NP"; got != want {
		t.Errorf("referrer-only row = %q, want %q", got, want)
	}
	page := doc(t, EncounterPage(fixturePage(), fixtureBanner(), EncounterDetail{Row: tl.Groups[0].Entries[1]}))
	if got, want := text(page.Find(tid("encounter-clinician"))), "Referrer: Np Family Medicine, NP"; got != want {
		t.Errorf("encounter page = %q, want %q", got, want)
	}
}
