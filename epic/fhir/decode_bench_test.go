package fhir

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSearchsetObservations decodes the captured Epic Observation search pages (labs, vitals,
// social history): "searchpage" is what the Epic client does (SearchPage, one pass), "bundle" the
// Bundle-then-entries path it replaced, as the baseline in the same run. Decoding Epic's JSON is
// the largest part of Chartside's CPU per chart (BENCHMARKS.md).
func BenchmarkSearchsetObservations(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(capturesDir, "observation-search-*.json"))
	var pages [][]byte
	size := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, raw)
		size += len(raw)
	}
	if len(pages) == 0 {
		b.Fatal("no captures found")
	}
	b.Run("searchpage", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, raw := range pages {
				page := SearchPage[Observation]{ResourceType: "Observation"}
				if err := Unmarshal(raw, &page); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("bundle", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, raw := range pages {
				var bundle Bundle
				if err := Unmarshal(raw, &bundle); err != nil {
					b.Fatal(err)
				}
				if _, _, err := split[Observation](&bundle, "Observation", true); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
