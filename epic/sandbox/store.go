package sandbox

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// record is one stored resource with what searches need to find it. The JSON body is encoded on
// first use and kept, so start-up does not pay for resources nobody asks for.
type record struct {
	typ     string // Patient, Encounter, Observation
	id      string
	patient string    // owning patient's FHIR id
	start   time.Time // clinically relevant time (encounter period, observation effective)
	end     time.Time // == start for points; zero end with non-zero start = still open
	obs     *fhir.Observation
	enc     *fhir.Encounter

	res  any // marshalled lazily unless raw is set
	once sync.Once
	raw  []byte
	err  error
}

func (r *record) body() ([]byte, error) {
	r.once.Do(func() {
		if r.raw == nil {
			r.raw, r.err = json.Marshal(r.res)
		}
	})
	return r.raw, r.err
}

// patientRecord adds the parsed Patient, for identifier and demographic searches.
type patientRecord struct {
	*record
	p fhir.Patient
}

// store is the sandbox's whole database, built once by New and read-only afterwards.
type store struct {
	patients     []*patientRecord
	byType       map[string]map[string]*record
	encounters   map[string][]*record // by patient id, newest first
	observations map[string][]*record // by patient id, newest first
	directory    []Listing
}

func newStore() *store {
	return &store{
		byType:       map[string]map[string]*record{"Patient": {}, "Encounter": {}, "Observation": {}},
		encounters:   map[string][]*record{},
		observations: map[string][]*record{},
	}
}

func (s *store) addPatient(p fhir.Patient, raw []byte) {
	rec := &record{typ: "Patient", id: p.ID, patient: p.ID, res: p, raw: raw}
	s.patients = append(s.patients, &patientRecord{record: rec, p: p})
	s.byType["Patient"][p.ID] = rec
}

func (s *store) addEncounter(e fhir.Encounter, patientID string, raw []byte) {
	rec := &record{typ: "Encounter", id: e.ID, patient: patientID, res: &e, enc: &e, raw: raw}
	if e.Period != nil {
		rec.start, rec.end = periodBounds(e.Period)
	}
	s.byType["Encounter"][e.ID] = rec
	s.encounters[patientID] = append(s.encounters[patientID], rec)
}

func (s *store) addObservation(o fhir.Observation, patientID string, raw []byte) {
	rec := &record{typ: "Observation", id: o.ID, patient: patientID, res: &o, obs: &o, raw: raw}
	if eff := o.Effective(); !eff.IsZero() {
		rec.start, rec.end = dateBounds(eff)
	} else if !o.Issued.IsZero() {
		rec.start, rec.end = dateBounds(o.Issued)
	}
	s.byType["Observation"][o.ID] = rec
	s.observations[patientID] = append(s.observations[patientID], rec)
}

// finish sorts every patient's records newest first, the order Epic's captures show.
func (s *store) finish() {
	for _, m := range []map[string][]*record{s.encounters, s.observations} {
		for _, recs := range m {
			sort.SliceStable(recs, func(i, j int) bool { return recs[i].start.After(recs[j].start) })
		}
	}
}

func (s *store) get(typ, id string) (*record, bool) {
	r, ok := s.byType[typ][id]
	return r, ok
}

// periodBounds returns the instants a Period covers; an open end stays zero.
func periodBounds(p *fhir.Period) (time.Time, time.Time) {
	var start, end time.Time
	if !p.Start.IsZero() {
		start, _ = dateBounds(p.Start)
	}
	if !p.End.IsZero() {
		_, end = dateBounds(p.End)
	}
	if start.IsZero() {
		start = end
	}
	return start, end
}

// dateBounds returns the first and last instant a (possibly partial) dateTime stands for.
func dateBounds(d fhir.DateTime) (time.Time, time.Time) {
	t := d.Time()
	switch d.Precision() {
	case fhir.PrecisionYear:
		return t, t.AddDate(1, 0, 0).Add(-time.Nanosecond)
	case fhir.PrecisionMonth:
		return t, t.AddDate(0, 1, 0).Add(-time.Nanosecond)
	case fhir.PrecisionDay:
		return t, t.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return t, t
}

// codingMatches applies a FHIR token search value ("code" or "system|code") to codings.
func codingMatches(codings []fhir.Coding, token string) bool {
	system, code, hasSystem := strings.Cut(token, "|")
	if !hasSystem {
		code, system = token, ""
	}
	for _, c := range codings {
		if c.Code == code && (!hasSystem || c.System == system) {
			return true
		}
	}
	return false
}
