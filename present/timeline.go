package present

import (
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// EncounterFilter narrows the timeline; values are the labels offered by the filter options.
type EncounterFilter struct {
	Class string
	Type  string
}

// EncounterClass is the class label: Epic sends one Coding in its own OID system.
func EncounterClass(e fhir.Encounter) string {
	if e.Class == nil {
		return ""
	}
	if e.Class.Display != "" {
		return e.Class.Display
	}
	return e.Class.Code
}

// EncounterType is the encounter's type labels joined ("Office Visit", "Surgery Admit · Hospital
// Encounter").
func EncounterType(e fhir.Encounter) string {
	var labels []string
	seen := map[string]bool{}
	for _, t := range e.Type {
		if l := t.Label(); l != "" && !seen[l] {
			seen[l] = true
			labels = append(labels, l)
		}
	}
	return strings.Join(labels, " · ")
}

func encounterTypes(e fhir.Encounter) []string {
	var labels []string
	for _, t := range e.Type {
		if l := t.Label(); l != "" {
			labels = append(labels, l)
		}
	}
	return labels
}

// encounterStart orders encounters: period start, else end.
func encounterStart(e fhir.Encounter) fhir.DateTime {
	if e.Period == nil {
		return fhir.DateTime{}
	}
	if !e.Period.Start.IsZero() {
		return e.Period.Start
	}
	return e.Period.End
}

// notableEncounterStatus marks statuses that change how an encounter should be read: every status
// but the routine ones, so a code Chartside does not know is shown as a tag, never as routine.
func notableEncounterStatus(s string) bool {
	switch s {
	case "", "finished", "arrived", "triaged", "onleave":
		return false
	}
	return true
}

// clinician names who saw the patient, for the timeline's summary line, and the role to call them
// by. The attender (ATND) comes first, then the primary performer (PPRF), then the first named
// participant of any other role, or of none (Epic sends the department of an imaging visit
// without a type). A participant who is only a referrer, admitter, discharger or escort
// (nonClinical) did not see the patient there: Camila Lopez's echo was referred by her nurse
// practitioner and done by EMC CARD ECHO, and the line said "Clinician: Np Family Medicine, NP"
// while its Details said who the clinician was. When nobody else is named, the first of them is
// shown under their own role ("Referrer"), as the Details do, never as the clinician.
func clinician(e fhir.Encounter) (role, name string) {
	var primary, other, bystander fhir.EncounterParticipant
	for _, p := range e.Participant {
		if p.Individual == nil || p.Individual.Display == "" {
			continue
		}
		switch {
		case hasParticipationType(p, "ATND"):
			return "Clinician", p.Individual.Display
		case hasParticipationType(p, "PPRF"):
			if primary.Individual == nil {
				primary = p
			}
		case nonClinical(p):
			if bystander.Individual == nil {
				bystander = p
			}
		default:
			if other.Individual == nil {
				other = p
			}
		}
	}
	switch {
	case primary.Individual != nil:
		return "Clinician", primary.Individual.Display
	case other.Individual != nil:
		return "Clinician", other.Individual.Display
	case bystander.Individual != nil:
		return participantRole(bystander), bystander.Individual.Display
	}
	return "Clinician", ""
}

// hasParticipationType reports whether any of p's types has code (a v3 ParticipationType code).
func hasParticipationType(p fhir.EncounterParticipant, code string) bool {
	for _, t := range p.Type {
		if t.HasCode("", code) {
			return true
		}
	}
	return false
}

// nonClinical reports whether p has types and every one is a v3 ParticipationType that does not
// treat the patient in the encounter: referrer, admitter, discharger, escort, callback contact.
// A participant without a type, or with a type Chartside does not know (Epic's own
// "losAuthorizingPhysician"), may well be who saw the patient, so it is not one.
func nonClinical(p fhir.EncounterParticipant) bool {
	if len(p.Type) == 0 {
		return false
	}
	for _, t := range p.Type {
		known := false
		for _, code := range []string{"REF", "ADM", "DIS", "ESC", "CALLBCK"} {
			if t.HasCode("", code) {
				known = true
			}
		}
		if !known {
			return false
		}
	}
	return true
}

// participantRole is what the encounter's Details call a participant: their first type's label,
// capitalised ("Referrer"), or "Clinician" when Epic sent no type.
func participantRole(p fhir.EncounterParticipant) string {
	if len(p.Type) > 0 {
		if l := p.Type[0].Label(); l != "" {
			r, size := utf8.DecodeRuneInString(l)
			return string(unicode.ToUpper(r)) + l[size:]
		}
	}
	return "Clinician"
}

// location is the encounter's distinct locations joined.
func location(e fhir.Encounter) string {
	var names []string
	seen := map[string]bool{}
	for _, l := range e.Location {
		if d := l.Location.Display; d != "" && !seen[d] {
			seen[d] = true
			names = append(names, d)
		}
	}
	return strings.Join(names, "; ")
}

// EncounterDOMID is the element id of an encounter's row; FHIR ids may hold dots, which CSS
// selectors (hx-target) would read as classes, so everything but letters and digits is replaced.
func EncounterDOMID(id string) string {
	var b strings.Builder
	b.WriteString("enc-")
	for _, r := range id {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteString("_" + itoa(int(r)) + "_")
		}
	}
	return b.String()
}

// EncounterRow is one timeline entry.
func EncounterRow(e fhir.Encounter, loc *time.Location, links Links) views.EncounterRow {
	when, typ, where := Period(e.Period, loc), EncounterType(e), location(e)
	r := views.EncounterRow{
		DOMID:         EncounterDOMID(e.ID),
		DetailURL:     links.encounter(e.ID),
		When:          orNotRecorded(when),
		Class:         orNotRecorded(EncounterClass(e)),
		Type:          orNotRecorded(typ),
		Status:        orNotRecorded(e.Status),
		StatusNotable: notableEncounterStatus(e.Status),
		Location:      orNotRecorded(where),
		Name:          encounterName(typ, when, where),
	}
	role, name := clinician(e)
	r.ClinicianRole, r.Clinician = role, orNotRecorded(name)
	if r.Name == "" {
		r.Name = r.Type + " " + r.When
	}
	return r
}

// encounterName names an encounter for a screen reader, in its Details control and its results
// region: its type, time and location ("Office Visit, Jun 2, 2023 15:49 CDT, EMC Family Medicine").
// Type and time alone named two encounters of one type at the same minute alike (Epic books an
// orders-only or a nurse visit beside the clinic visit at the same time); where they were is what
// tells them apart for the reader.
func encounterName(typ, when, where string) string {
	var which []string
	for _, s := range []string{typ, when, where} {
		if s != "" {
			which = append(which, s)
		}
	}
	return strings.Join(which, ", ")
}

// nameApart numbers the rows that still share a name (same type, time and location): "(1 of 2)",
// "(2 of 2)" in the order they are listed, so each Details control names one encounter.
func nameApart(groups []views.MonthGroup) {
	count := map[string]int{}
	for _, g := range groups {
		for _, r := range g.Entries {
			count[r.Name]++
		}
	}
	seen := map[string]int{}
	for i := range groups {
		for j := range groups[i].Entries {
			r := &groups[i].Entries[j]
			if n := count[r.Name]; n > 1 {
				seen[r.Name]++
				r.Name += " (" + itoa(seen[r.Name]) + " of " + itoa(n) + ")"
			}
		}
	}
}

// Timeline groups encounters by month (in the clinic zone; date-only periods by their own month),
// newest first, after applying the filter. The filter options come from all the encounters given,
// so a filter never hides its own way back.
func Timeline(encs []fhir.Encounter, loc *time.Location, f EncounterFilter, links Links) views.Timeline {
	t := views.Timeline{
		Groups: TimelineGroups(filterEncounters(encs, f), loc, links),
		Filters: views.TimelineFilters{
			Classes: options(encs, f.Class, func(e fhir.Encounter) []string {
				if c := EncounterClass(e); c != "" {
					return []string{c}
				}
				return nil
			}),
			Types: options(encs, f.Type, encounterTypes),
		},
		Empty: "No encounters in this period.",
	}
	if f.Class != "" || f.Type != "" {
		t.Empty = "No encounters in this period match the filter."
	}
	return t
}

func filterEncounters(encs []fhir.Encounter, f EncounterFilter) []fhir.Encounter {
	var out []fhir.Encounter
	for _, e := range encs {
		if f.Class != "" && EncounterClass(e) != f.Class {
			continue
		}
		if f.Type != "" && !contains(encounterTypes(e), f.Type) {
			continue
		}
		out = append(out, e)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func options(encs []fhir.Encounter, selected string, values func(fhir.Encounter) []string) []views.Option {
	seen := map[string]bool{}
	var vals []string
	for _, e := range encs {
		for _, v := range values(e) {
			if !seen[v] {
				seen[v] = true
				vals = append(vals, v)
			}
		}
	}
	if selected != "" && !seen[selected] {
		vals = append(vals, selected) // keep the current choice visible even when nothing matches
	}
	sort.Strings(vals)
	opts := make([]views.Option, 0, len(vals))
	for _, v := range vals {
		opts = append(opts, views.Option{Value: v, Label: v, Selected: v == selected})
	}
	return opts
}

// TimelineGroups groups encounters by month, newest first; undated encounters come last under
// "Date not recorded".
func TimelineGroups(encs []fhir.Encounter, loc *time.Location, links Links) []views.MonthGroup {
	sorted := append([]fhir.Encounter(nil), encs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		si, sj := encounterStart(sorted[i]), encounterStart(sorted[j])
		if si.IsZero() != sj.IsZero() {
			return !si.IsZero()
		}
		return clinicOrder(sj, loc).Before(clinicOrder(si, loc))
	})
	var groups []views.MonthGroup
	for _, e := range sorted {
		label := monthLabel(encounterStart(e), loc)
		if n := len(groups); n == 0 || groups[n-1].Label != label {
			groups = append(groups, views.MonthGroup{Label: label})
		}
		n := len(groups) - 1
		groups[n].Entries = append(groups[n].Entries, EncounterRow(e, loc, links))
	}
	nameApart(groups)
	return groups
}

// clinicOrder is when a date sorts in the clinic: an instant as it is, a date without a time
// (Epic's clinic visits) from the start of its day, month or year in loc, the calendar the
// timeline's headings use. fhir.DateTime.Time puts such a date at midnight UTC, which in
// America/Chicago is 18:00 the day before: an office visit on Nov 18 sorted below an emergency
// visit at 20:00 on Nov 17, and one on Dec 1 below an evening visit on Nov 30, splitting December
// into two headings.
func clinicOrder(d fhir.DateTime, loc *time.Location) time.Time {
	if d.HasTime() {
		return d.Time()
	}
	y, m, day := d.Civil()
	return time.Date(y, max(m, time.January), max(day, 1), 0, 0, 0, 0, loc)
}

func monthLabel(d fhir.DateTime, loc *time.Location) string {
	if d.IsZero() {
		return "Date not recorded"
	}
	y, m, _ := d.Civil()
	if d.HasTime() {
		t := d.Time().In(loc)
		y, m = t.Year(), t.Month()
	}
	if m == 0 {
		return itoa(y)
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Format(layoutMonthHeading)
}

// layoutMonthHeading names a month as the timeline's headings do: "November 2025".
const layoutMonthHeading = "January 2006"

// Window labels a timeline window of whole months from..to (to exclusive, the first day of the
// month after the window) by its first and last month, named as the headings under it name them:
// "December 2024 – November 2025".
func Window(from, to time.Time, loc *time.Location) string {
	last := to.In(loc).AddDate(0, 0, -1).Format(layoutMonthHeading)
	if from.IsZero() {
		return "Up to " + last
	}
	return from.In(loc).Format(layoutMonthHeading) + " – " + last
}

// encounterObsCaption names an encounter's observations table by the encounter's type, time and
// location (encounterName). The table is a named region (a landmark), and two encounters' details
// may be open in the timeline at once: the same caption on both would be two landmarks of one name.
func encounterObsCaption(e fhir.Encounter, loc *time.Location) string {
	name := encounterName(EncounterType(e), Period(e.Period, loc), location(e))
	if name == "" {
		return "Observations recorded in this encounter"
	}
	return "Observations recorded in this encounter (" + name + ")"
}

// numberAmong is where the timeline lists e among the encounters of among that share its name
// (type, time and location): n of m, in TimelineGroups' order, as nameApart numbers their Details
// controls; m is 1 when the name is e's alone. among is what the caller loaded with e, in Epic's
// order; e is counted once whether or not among holds it.
func numberAmong(e fhir.Encounter, among []fhir.Encounter, loc *time.Location) (n, m int) {
	name := EncounterRow(e, loc, Links{}).Name
	same := []fhir.Encounter{}
	seen := map[string]bool{}
	// A new slice: among may be the timeline's cached window, shared with other requests.
	for _, o := range slices.Concat(among, []fhir.Encounter{e}) {
		if o.ID == "" || seen[o.ID] || EncounterRow(o, loc, Links{}).Name != name {
			continue
		}
		seen[o.ID] = true
		same = append(same, o)
	}
	if len(same) < 2 {
		return 1, 1
	}
	want := EncounterDOMID(e.ID)
	for _, g := range TimelineGroups(same, loc, Links{}) {
		for _, r := range g.Entries {
			n++
			if r.DOMID == want {
				return n, len(same)
			}
		}
	}
	return 1, 1
}

// EncounterDetail is an encounter expanded: its details and the observations recorded in it
// (those whose Observation.encounter points at it; the caller searches by the encounter's dates).
// among is the encounters loaded with it (the timeline's window, or a search around its day): when
// some share its type, time and location, its results region is numbered "(1 of 2)" as the
// timeline numbers its Details control, since the detail is fetched on its own and two may be
// open at once.
func EncounterDetail(e fhir.Encounter, among []fhir.Encounter, obs []fhir.Observation, loc *time.Location, links Links) views.EncounterDetail {
	var mine []fhir.Observation
	for _, o := range obs {
		if o.Encounter != nil && referencesEncounter(*o.Encounter, e) {
			mine = append(mine, o)
		}
	}
	caption := encounterObsCaption(e, loc)
	row := EncounterRow(e, loc, links)
	if n, m := numberAmong(e, among, loc); m > 1 {
		number := " (" + itoa(n) + " of " + itoa(m) + ")"
		caption += number
		row.Name += number
	}
	d := views.EncounterDetail{
		Row:          row,
		Observations: ObservationTable(mine, caption, "No observations recorded in this encounter.", "encounter-observations", loc, links),
	}
	add := func(label, value string) {
		d.Details = append(d.Details, views.IDRow{Label: label, Value: orNotRecorded(value)})
	}
	add("When", Period(e.Period, loc))
	add("Class", EncounterClass(e))
	add("Type", EncounterType(e))
	add("Status", e.Status)
	if e.ServiceType != nil {
		add("Service", e.ServiceType.Label())
	}
	var reasons []string
	for _, r := range e.ReasonCode {
		if l := r.Label(); l != "" {
			reasons = append(reasons, l)
		}
	}
	add("Reason", strings.Join(reasons, "; "))
	add("Location", location(e))
	for _, p := range e.Participant {
		if p.Individual == nil || p.Individual.Display == "" {
			continue
		}
		add(participantRole(p), p.Individual.Display)
	}
	if e.ServiceProvider != nil {
		add("Organization", e.ServiceProvider.Display)
	}
	for _, id := range e.Identifier {
		if id.Value != "" && id.Use == "usual" {
			add("Encounter number (CSN)", id.Value)
			break
		}
	}
	return d
}

func referencesEncounter(r fhir.Reference, e fhir.Encounter) bool {
	if r.Reference != "" && (r.Reference == "Encounter/"+e.ID || strings.HasSuffix(r.Reference, "/Encounter/"+e.ID)) {
		return true
	}
	if r.Identifier != nil && r.Identifier.Value != "" {
		for _, id := range e.Identifier {
			if id.System == r.Identifier.System && id.Value == r.Identifier.Value {
				return true
			}
		}
	}
	return false
}

// TimelineWindow picks what one window of the timeline lists, and returns the DOM ids of the rows
// to mark as ongoing (see MarkOngoing). The window is from..to, days in loc (to exclusive; zero
// for the newest window, which has no end). FHIR's date search matches an encounter whose period
// overlaps the searched range, so Epic returns an encounter that is still open (or ended later)
// for every window from the one it began in onwards. Listed in each, it read as a visit repeated
// every year. Epic also reads the searched days in its own server's zone, which need not be the
// clinic's, so the caller searches a day wider on each side and the window is decided here, by
// the clinic's clock, the one the month headings use.
//
//   - The newest window (open-ended, from its first day on) lists everything that began in it, and
//     what began before from and had not ended by then: that is current, and returned as ongoing.
//   - An earlier window lists the encounters that began in it. One that began before it is listed
//     in the window it began in, whatever the server's date semantics: only a start Chartside
//     cannot place before from (undated, or a month or year that holds from) keeps it here.
//   - No window lists what began on or after its end (to): the newer window lists it, under the
//     same month heading as the rest of its month.
//
// A still-open encounter therefore shows twice at most: at the top, as current, and where it
// began. MarkOngoing gives the top row its own element id.
func TimelineWindow(encs []fhir.Encounter, from, to time.Time, loc *time.Location) (kept []fhir.Encounter, ongoing []string) {
	kept = make([]fhir.Encounter, 0, len(encs))
	for _, e := range encs {
		start := encounterStart(e)
		switch {
		case !to.IsZero() && placeDay(start, to, loc) > 0:
			// began on or after the window's end: the newer window's
		case placeDay(start, from, loc) >= 0:
			kept = append(kept, e)
		case to.IsZero() && !endedBefore(e, from, loc):
			kept = append(kept, e)
			ongoing = append(ongoing, EncounterDOMID(e.ID))
		}
	}
	return kept, ongoing
}

// endedBefore reports whether an encounter certainly ended before from, a day in loc.
func endedBefore(e fhir.Encounter, from time.Time, loc *time.Location) bool {
	return e.Period != nil && !e.Period.End.IsZero() && placeDay(e.Period.End, from, loc) < 0
}

// placeDay places a date, at the precision Epic gave it, against day (midnight in loc): -1 when
// it is certainly before day, 1 when it is certainly on or after it, 0 when it cannot be placed
// (undated, or a month or year that holds day and the days before it).
func placeDay(d fhir.DateTime, day time.Time, loc *time.Location) int {
	if d.IsZero() {
		return 0
	}
	if d.HasTime() {
		if d.Time().Before(day) {
			return -1
		}
		return 1
	}
	dy, dm, dd := day.In(loc).Date()
	y, m, dday := d.Civil()
	// first and last are the first and the last day the date may mean.
	first, last := time.Date(y, m, dday, 0, 0, 0, 0, time.UTC), time.Time{}
	switch d.Precision() {
	case fhir.PrecisionYear:
		first = time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
		last = first.AddDate(1, 0, -1)
	case fhir.PrecisionMonth:
		first = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		last = first.AddDate(0, 1, -1)
	default:
		last = first
	}
	bound := time.Date(dy, dm, dd, 0, 0, 0, 0, time.UTC)
	switch {
	case last.Before(bound):
		return -1
	case !first.Before(bound):
		return 1
	}
	return 0
}

// MarkOngoing gives the rows of ongoing encounters (TimelineWindow) an element id of their own, so
// the same encounter listed again where it began does not share its id (and its details slot). It
// returns how many rows it marked: those the filter left, for the window's label.
func MarkOngoing(groups []views.MonthGroup, ongoing []string) int {
	n := 0
	for i := range groups {
		for j := range groups[i].Entries {
			if slices.Contains(ongoing, groups[i].Entries[j].DOMID) {
				groups[i].Entries[j].DOMID += "-ongoing"
				n++
			}
		}
	}
	return n
}

// OngoingNote is added to the newest window's label when it lists encounters that began before
// it: "and 3 that began earlier and had not ended by then".
func OngoingNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return ", and 1 encounter that began earlier and had not ended by then"
	}
	return ", and " + itoa(n) + " encounters that began earlier and had not ended by then"
}
