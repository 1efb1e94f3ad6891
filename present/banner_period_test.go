package present

import (
	"reflect"
	"testing"
	"time"

	"github.com/chartside/chartside/views"
)

// bannerNow is 23:45 on Apr 27, 2026 in Chicago (CDT), already Apr 28 in UTC: the clinic's today
// is Apr 27.
var bannerNow = time.Date(2026, 4, 28, 4, 45, 0, 0, time.UTC)

// TestBannerPeriods: the banner's name, address and phone are the ones in effect on the clinic's
// today, with one rule for all three (fhir.Period.InEffectAt). Each row gives the period of a name,
// an address and a phone that come first in preference; when it is in effect they are shown, else
// the banner falls back to the other name, address and phone, which have no period.
func TestBannerPeriods(t *testing.T) {
	chi := chicago(t)
	tests := []struct {
		name   string
		period string
		shown  bool
	}{
		{"no end", `{"start":"2020-01-01"}`, true},
		{"ends next month (planned move)", `{"start":"2020-01-01","end":"2026-05-31"}`, true},
		{"ends today in the clinic, yesterday in UTC", `{"end":"2026-04-27"}`, true},
		{"ended yesterday", `{"end":"2026-04-26"}`, false},
		{"starts next month", `{"start":"2026-05-01"}`, false},
		{"starts tomorrow in the clinic, today in UTC", `{"start":"2026-04-28"}`, false},
		{"end month is this month", `{"end":"2026-04"}`, true},
		{"end month was last month", `{"end":"2026-03"}`, false},
		{"end year is this year", `{"end":"2026"}`, true},
		{"end year was last year", `{"end":"2025"}`, false},
		{"instant end 15 min ago, on today's date", `{"end":"2026-04-27T23:30:00-05:00"}`, false},
		{"instant end in 5 min, written in UTC on tomorrow's date", `{"end":"2026-04-28T04:50:00Z"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := patientFrom(t, `{
				"name":[{"use":"official","text":"Jane Period","period":`+tt.period+`},{"use":"usual","text":"Jane Always"}],
				"address":[{"use":"home","line":["1 Period St"],"period":`+tt.period+`},{"use":"work","line":["2 Always Ave"]}],
				"telecom":[{"system":"phone","value":"111","use":"home","rank":1,"period":`+tt.period+`},
					{"system":"phone","value":"222","use":"work","rank":2}]}`)
			b := Banner(p, "urn:mrn", bannerNow, chi)
			want := struct {
				Name, Phone string
				Address     []string
			}{"Jane Always", "222 (work)", []string{"2 Always Ave"}}
			if tt.shown {
				want.Name, want.Phone, want.Address = "Jane Period", "111 (home)", []string{"1 Period St"}
			}
			if b.Name != want.Name {
				t.Errorf("name = %q, want %q", b.Name, want.Name)
			}
			if !reflect.DeepEqual(b.Address, want.Address) {
				t.Errorf("address = %q, want %q", b.Address, want.Address)
			}
			if b.Phone != want.Phone {
				t.Errorf("phone = %q, want %q", b.Phone, want.Phone)
			}
			if m := Match(p, "urn:mrn", bannerNow, chi); m.Name != want.Name {
				t.Errorf("match row name = %q, want %q", m.Name, want.Name)
			}
		})
	}
}

// A new home address registered from next month is not the one to reach the patient at today,
// even listed first; the home address that ends at the move still is. When no address or phone is
// in effect, the banner says they are not recorded rather than showing a past or future one.
func TestBannerMoveAndNothingCurrent(t *testing.T) {
	chi := chicago(t)
	moving := patientFrom(t, `{
		"address":[{"use":"home","line":["9 Future Ave"],"period":{"start":"2026-05-01"}},
			{"use":"home","line":["1 Current St"],"period":{"start":"2020-01-01","end":"2026-04-30"}}],
		"telecom":[{"system":"phone","value":"999","use":"home","rank":1,"period":{"start":"2026-05-01"}},
			{"system":"phone","value":"111","use":"home","rank":2,"period":{"start":"2020-01-01","end":"2026-04-30"}}]}`)
	b := Banner(moving, "urn:mrn", bannerNow, chi)
	if want := []string{"1 Current St"}; !reflect.DeepEqual(b.Address, want) {
		t.Errorf("moving: address = %q, want %q", b.Address, want)
	}
	if b.Phone != "111 (home)" {
		t.Errorf("moving: phone = %q, want 111 (home)", b.Phone)
	}
	// After the move the new address and phone are the patient's.
	after := Banner(moving, "urn:mrn", time.Date(2026, 5, 1, 5, 0, 0, 0, time.UTC), chi)
	if want := []string{"9 Future Ave"}; !reflect.DeepEqual(after.Address, want) || after.Phone != "999 (home)" {
		t.Errorf("after the move: address %q, phone %q; want %q, 999 (home)", after.Address, after.Phone, want)
	}

	// On the move day itself both are in effect (the old one ends that day): the new one, which
	// began later, is where the patient lives; the order Epic lists them in does not matter.
	moveDay := time.Date(2026, 4, 30, 17, 0, 0, 0, time.UTC)
	if got := Banner(moving, "urn:mrn", moveDay, chi).Address; !reflect.DeepEqual(got, []string{"1 Current St"}) {
		t.Errorf("the day before the move: address %q, want 1 Current St", got)
	}
	sameDay := patientFrom(t, `{"address":[
		{"use":"home","line":["1 Current St"],"period":{"start":"2020-01-01","end":"2026-05-01"}},
		{"use":"home","line":["9 Future Ave"],"period":{"start":"2026-05-01"}},
		{"use":"home","line":["5 Older Ln"]}]}`)
	if got := Banner(sameDay, "urn:mrn", time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC), chi).Address; !reflect.DeepEqual(got, []string{"9 Future Ave"}) {
		t.Errorf("move day: address %q, want the new one, 9 Future Ave", got)
	}

	none := patientFrom(t, `{
		"address":[{"use":"home","line":["1 Old Rd"],"period":{"end":"2026-04-26"}},{"use":"home","line":["9 Future Ave"],"period":{"start":"2026-05"}}],
		"telecom":[{"system":"phone","value":"111","period":{"end":"2026-03"}},{"system":"phone","value":"999","period":{"start":"2027"}}]}`)
	b = Banner(none, "urn:mrn", bannerNow, chi)
	if b.Address != nil {
		t.Errorf("nothing in effect: address = %q, want none (shown as %s)", b.Address, views.NotRecorded)
	}
	if b.Phone != views.NotRecorded {
		t.Errorf("nothing in effect: phone = %q, want %q", b.Phone, views.NotRecorded)
	}
}
