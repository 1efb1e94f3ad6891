package present

import (
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

func socialObs(t *testing.T, code, text, value, when string) fhir.Observation {
	t.Helper()
	coding := ""
	if code != "" {
		coding = `"coding":[{"system":"http://loinc.org","code":"` + code + `"}],`
	}
	return obsFrom(t, `{"status":"final","code":{`+coding+`"text":"`+text+`"},"valueString":"`+value+`","effectiveDateTime":"`+when+`"}`)
}

func TestSocialHistoryLatestPerItem(t *testing.T) {
	obs := []fhir.Observation{
		socialObs(t, "72166-2", "Smoking History", "Never", "2019-01-01"),
		socialObs(t, "11331-6", "Alcohol Use History", "Yes", "2025-06-01"),
		socialObs(t, "72166-2", "Smoking History", "Former", "2024-02-01"),
		socialObs(t, "72166-2", "Tobacco use", "Current", "2021-05-01"), // same code, another name: same item
		socialObs(t, "", "Exercise", "3 times a week", "2023-01-01"),
		socialObs(t, "", "Exercise", "Daily", "2020-01-01"),
	}
	url := func(key string) string { return "/social?item=" + key }
	items := SocialHistory(obs, nil, time.UTC, url)
	type item struct {
		name, value, when, label, url string
		earlier                       int
	}
	var got []item
	shown := 0
	for _, it := range items {
		got = append(got, item{it.Latest.Name, it.Latest.Value, it.Latest.When, it.EarlierLabel, it.HistoryURL, it.EarlierCount})
		shown += 1 + it.EarlierCount
		if it.Earlier != nil {
			t.Errorf("%s: earlier values listed without being asked for", it.Latest.Name)
		}
	}
	exercise := SocialItemKey(obs[4])
	want := []item{
		{"Alcohol Use History", "Yes", "Jun 1, 2025", "None", "", 0},
		{"Smoking History", "Former", "Feb 1, 2024", "History (2)", "/social?item=http://loinc.org|72166-2", 2},
		{"Exercise", "3 times a week", "Jan 1, 2023", "History (1)", "/social?item=" + exercise, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("items = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Nothing is dropped: every observation is an item's latest value or counted as earlier.
	if shown != len(obs) {
		t.Errorf("latest values + earlier counts = %d, want all %d observations", shown, len(obs))
	}
	// An item without a code is keyed by a digest of its name: no free text in the URL.
	if !strings.HasPrefix(exercise, "name:") || strings.Contains(exercise, "Exercise") || exercise != SocialItemKey(obs[5]) {
		t.Errorf("key of an item without a code = %q", exercise)
	}

	// Expanded: the earlier values are listed under the latest, newest first.
	items = SocialHistory(obs, func(k string) bool { return k == "http://loinc.org|72166-2" }, time.UTC, url)
	smoking := items[1]
	var earlier []string
	for _, r := range smoking.Earlier {
		earlier = append(earlier, r.Value+" "+r.When)
	}
	if strings.Join(earlier, ", ") != "Current May 1, 2021, Never Jan 1, 2019" || smoking.HistoryURL != "" ||
		smoking.EarlierLabel != "2 earlier, listed below" {
		t.Errorf("expanded smoking: %q, url %q, label %q", earlier, smoking.HistoryURL, smoking.EarlierLabel)
	}
	if items[2].Earlier != nil {
		t.Error("an item not asked for was expanded")
	}

	it, ok := SocialItemHistory(obs, "http://loinc.org|72166-2", time.UTC)
	if !ok || it.Latest.Value != "Former" || len(it.Earlier) != 2 || it.EarlierCount != 2 {
		t.Errorf("item history: ok %v latest %q, %d earlier", ok, it.Latest.Value, len(it.Earlier))
	}
	if _, ok := SocialItemHistory(obs, "http://loinc.org|0000-0", time.UTC); ok {
		t.Error("an unknown item was found")
	}
	if items := SocialHistory(nil, nil, time.UTC, url); len(items) != 0 {
		t.Errorf("no observations: %d items", len(items))
	}
}

// TestSocialHistoryCaptureItems groups Epic's captured social history: one value per item, so
// each item is its latest value with nothing earlier; the undated social documentation is kept.
func TestSocialHistoryCaptureItems(t *testing.T) {
	obs := bundleOf[fhir.Observation](t, "observation-search-social-history-apporchard.json", "Observation")
	items := SocialHistory(obs, nil, chicago(t), nil)
	var got []string
	for _, it := range items {
		got = append(got, it.Latest.Name+"/"+it.EarlierLabel)
	}
	want := "Alcohol Use History/None, Drug Use History/None, Smoking History/None, Social Documentation/None"
	if strings.Join(got, ", ") != want {
		t.Errorf("items = %q, want %q", strings.Join(got, ", "), want)
	}
}

// TestSocialHistoryLatestSkipsErrors: an item's latest value is its newest valid one, as in the
// vitals strip; a newer entered-in-error or cancelled value is listed among the others (marked),
// not shown as the patient's current status.
func TestSocialHistoryLatestSkipsErrors(t *testing.T) {
	withStatus := func(o fhir.Observation, s string) fhir.Observation { o.Status = s; return o }
	obs := []fhir.Observation{
		withStatus(socialObs(t, "72166-2", "Smoking History", "Current every day smoker", "2025-03-01"), "entered-in-error"),
		socialObs(t, "72166-2", "Smoking History", "Former", "2024-02-01"),
		socialObs(t, "72166-2", "Smoking History", "Never", "2019-01-01"),
		withStatus(socialObs(t, "11331-6", "Alcohol Use History", "Yes", "2025-06-01"), "entered-in-error"),
	}
	items := SocialHistory(obs, func(string) bool { return true }, time.UTC, nil)
	if len(items) != 2 {
		t.Fatalf("items = %+v", items)
	}
	var got []string
	for _, it := range items {
		s := it.Latest.Name + ": " + it.Latest.Value + " [" + it.Latest.Status + "]"
		for _, r := range it.Earlier {
			s += ", " + r.Value + " [" + r.Status + "]"
		}
		got = append(got, s)
	}
	want := []string{
		// Only an erroneous value: it is still shown (marked), never dropped.
		"Alcohol Use History: Yes [entered-in-error]",
		"Smoking History: Former [final], Current every day smoker [entered-in-error], Never [final]",
	}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if items[1].EarlierCount != 2 {
		t.Errorf("smoking earlier count = %d, want 2", items[1].EarlierCount)
	}
	// Items are ordered by the latest value shown: an erroneous newer entry does not move its item up.
	obs = append(obs, socialObs(t, "", "Exercise", "Daily", "2024-12-01"))
	var order []string
	for _, it := range SocialHistory(obs, nil, time.UTC, nil) {
		order = append(order, it.Latest.Name)
	}
	if got, want := strings.Join(order, ", "), "Alcohol Use History, Exercise, Smoking History"; got != want {
		t.Errorf("order = %q, want %q", got, want)
	}
}
