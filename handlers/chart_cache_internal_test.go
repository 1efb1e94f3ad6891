package handlers

import (
	"testing"
	"time"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
)

// TestPrefetchReleasedAfterLastRead: once every section of the page has taken its prefetched
// result, the entry no longer holds the chart's Epic data (only the patient, for later banners),
// and a further read finds nothing, so it fetches afresh.
func TestPrefetchReleasedAfterLastRead(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	cc := newChartCache(func() time.Time { return now })
	obs := func() *pending[epic.Result[fhir.Observation]] { return resolved(epic.Result[fhir.Observation]{}, now) }
	e := &chartEntry{patientID: "p1", created: now, unread: chartSectionReads, audited: true,
		patient:    resolved(fhir.Patient{ID: "p1"}, now),
		encounters: resolved(timelineData{}, now),
		vitals:     obs(), labs: obs(), social: obs()}
	cc.store("h1", e)

	vitals := func(e *chartEntry) *pending[epic.Result[fhir.Observation]] { return e.vitals }
	reads := []func(){
		func() { takePrefetched(cc, e, func(e *chartEntry) *pending[timelineData] { return e.encounters }) },
		func() { takePrefetched(cc, e, vitals) }, // the strip
		func() { takePrefetched(cc, e, vitals) }, // the table
		func() {
			takePrefetched(cc, e, func(e *chartEntry) *pending[epic.Result[fhir.Observation]] { return e.labs })
		},
	}
	for _, read := range reads {
		read()
	}
	if e.social == nil || e.vitals == nil {
		t.Fatal("released before the last section read")
	}
	if p := takePrefetched(cc, e, func(e *chartEntry) *pending[epic.Result[fhir.Observation]] { return e.social }); p == nil {
		t.Fatal("the last section found nothing")
	}
	if e.encounters != nil || e.vitals != nil || e.labs != nil || e.social != nil {
		t.Error("section results still held after every section read them")
	}
	if p := takePrefetched(cc, e, vitals); p != nil {
		t.Error("a read after the release was served the old result")
	}
	if cc.prefetchedPatient("h1", "p1") == nil {
		t.Error("the patient was released too; later pages' banners need it")
	}
}
