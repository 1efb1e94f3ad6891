package present

import (
	"reflect"
	"testing"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// TestBannerSkipsOldUse: an address or phone with use "old" (FHIR: no longer in use) is never the
// banner's, whatever its period and wherever it is listed. Each row lists an old address before a
// work address and an old phone (rank 1) before a work phone (rank 2), with no home address.
func TestBannerSkipsOldUse(t *testing.T) {
	chi := chicago(t)
	tests := []struct {
		name   string
		period string // the old address's and phone's period; "" for none, as Epic sends them
	}{
		{"no period (as Epic sends it)", ""},
		{"period with no end", `,"period":{"start":"2020-01-01"}`},
		{"period ending next month", `,"period":{"start":"2020-01-01","end":"2026-05-31"}`},
		{"period ended last year", `,"period":{"end":"2025-06-30"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := patientFrom(t, `{
				"address":[{"use":"old","line":["1 Former Rd"]`+tt.period+`},{"use":"work","line":["2 Office Ave"]}],
				"telecom":[{"system":"phone","value":"111","use":"old","rank":1`+tt.period+`},
					{"system":"phone","value":"222","use":"work","rank":2}]}`)
			b := Banner(p, "urn:mrn", bannerNow, chi)
			if want := []string{"2 Office Ave"}; !reflect.DeepEqual(b.Address, want) {
				t.Errorf("address = %q, want %q", b.Address, want)
			}
			if want := "222 (work)"; b.Phone != want {
				t.Errorf("phone = %q, want %q", b.Phone, want)
			}
		})
	}

	// Unranked phones keep their order otherwise: the old one listed first is still passed over.
	p := patientFrom(t, `{"telecom":[{"system":"phone","value":"111","use":"old"},{"system":"phone","value":"333","use":"mobile"}]}`)
	if got, want := Banner(p, "urn:mrn", bannerNow, chi).Phone, "333 (mobile)"; got != want {
		t.Errorf("unranked: phone = %q, want %q", got, want)
	}

	// Only old ones: nothing to reach the patient at, shown as not recorded.
	only := patientFrom(t, `{
		"address":[{"use":"old","line":["1 Former Rd"]}],
		"telecom":[{"system":"phone","value":"111","use":"old","rank":1},{"system":"email","value":"a@example.org"}]}`)
	b := Banner(only, "urn:mrn", bannerNow, chi)
	if b.Address != nil {
		t.Errorf("only old: address = %q, want none (shown as %s)", b.Address, views.NotRecorded)
	}
	if b.Phone != views.NotRecorded {
		t.Errorf("only old: phone = %q, want %q", b.Phone, views.NotRecorded)
	}
}

// TestAppOrchardOldAddress: Allison Mychart as Epic's App Orchard sandbox returns her (both patient
// search captures) has an address with use "old" and no period listed before her home address.
// As captured the home address is shown; with that home address sent as a work address, or not
// sent, the old one must still not be shown. The old and home addresses have the same street: in
// the multiple-identifiers capture only the old one has a country line, which tells them apart;
// in the with-outcome capture they read the same, and only the case with the home address left
// out tells.
func TestAppOrchardOldAddress(t *testing.T) {
	chi := chicago(t)
	captures := []struct {
		file string
		home []string // the home address as the banner shows it
	}{
		{"patient-search-multiple-identifiers-apporchard.json", []string{"123 Main St.", "Madison WI 53703"}},
		{"patient-search-apporchard-with-outcome.json", []string{"123 Main St.", "Madison WI 53703", "US"}},
	}
	for _, c := range captures {
		t.Run(c.file, func(t *testing.T) {
			var allison fhir.Patient
			for _, p := range bundleOf[fhir.Patient](t, c.file, "Patient") {
				if p.ID == "eJzlzKe3KPzAV5TtkxmNivQ3" {
					allison = p
				}
			}
			if len(allison.Address) != 2 || allison.Address[0].Use != "old" || allison.Address[0].Period != nil || allison.Address[1].Use != "home" {
				t.Fatalf("capture no longer has an old address without a period before the home one: %+v", allison.Address)
			}

			if got := Banner(allison, "EPI", bannerNow, chi).Address; !reflect.DeepEqual(got, c.home) {
				t.Errorf("as captured: address = %q, want the home address %q", got, c.home)
			}

			work := allison
			work.Address = append([]fhir.Address{}, allison.Address...)
			work.Address[1].Use = "work"
			if got := Banner(work, "EPI", bannerNow, chi).Address; !reflect.DeepEqual(got, c.home) {
				t.Errorf("old before a work address: address = %q, want the work address %q", got, c.home)
			}

			onlyOld := allison
			onlyOld.Address = allison.Address[:1]
			if got := Banner(onlyOld, "EPI", bannerNow, chi).Address; got != nil {
				t.Errorf("only the old address: address = %q, want none (shown as %s)", got, views.NotRecorded)
			}
		})
	}
}
