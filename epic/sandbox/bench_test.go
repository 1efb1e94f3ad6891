package sandbox

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// BenchmarkNew measures start-up with the default population; it must stay well under a second.
func BenchmarkNew(b *testing.B) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, err := New(Options{Now: func() time.Time { return now }}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeBundle writes a page of the long-history patient's observations (up to 1000, the
// page size): "sandbox" is the sandbox's writer, "json.Marshal" the baseline in the same run. The
// sandbox runs on the benchmark machine beside Chartside (web bench), so its cost is taken from
// what Chartside is measured with.
func BenchmarkEncodeBundle(b *testing.B) {
	sb, err := New(Options{Now: func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		b.Fatal(err)
	}
	var longest []*record
	for _, recs := range sb.data.observations {
		if len(recs) > len(longest) {
			longest = recs
		}
	}
	total := min(len(longest), defaultPageSize)
	bundle := fhir.Bundle{ResourceType: "Bundle", Type: "searchset", Total: &total,
		Link: []fhir.BundleLink{{Relation: "self", URL: "http://x/api/FHIR/R4/Observation?patient=p&category=vital-signs"}}}
	for _, rec := range longest[:total] {
		raw, err := rec.body()
		if err != nil {
			b.Fatal(err)
		}
		url := "http://x/api/FHIR/R4/Observation/" + rec.id
		bundle.Entry = append(bundle.Entry, fhir.BundleEntry{Link: []fhir.BundleLink{{Relation: "self", URL: url}},
			FullURL: url, Resource: raw, Search: &fhir.BundleSearch{Mode: fhir.SearchModeMatch}})
	}
	for _, c := range []struct {
		name   string
		encode func(fhir.Bundle) ([]byte, error)
	}{
		{"sandbox", encodeBundle},
		{"json.Marshal", func(b fhir.Bundle) ([]byte, error) { return json.Marshal(b) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := c.encode(bundle)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
			}
		})
	}
}
