package sandbox

import (
	"testing"
	"time"
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
