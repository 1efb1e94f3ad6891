package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// An encounter's drill-down URL is /chart/<handle>/encounters/<ref>, where ref is the encounter's
// FHIR id and start day sealed for the session (sessions.Manager.Seal). Both are patient data:
// anyone with Epic access can look the id up, and the day is a date of service; a URL ends up in
// browser history, proxy logs and Referer headers, so neither may appear in one. The sealed
// reference is opaque, works on every replica (its key is in the shared session) and for this
// session only, and nothing is kept to resolve it.

// encounterRefSep separates the id from the day. FHIR ids are [A-Za-z0-9.-], so it never occurs
// in one; the last separator is used all the same.
const encounterRefSep = "|"

// encounterRefs seals the drill-down reference of each encounter (keyed by FHIR id). The day is
// the encounter's start in the clinic's zone (its end when it has no start), so the drill-down can
// find it with a narrow Encounter search instead of walking the whole record; the day is only a
// hint: the encounter must still be in this patient's search results.
func (s *Server) encounterRefs(ctx context.Context, encs []fhir.Encounter) (map[string]string, error) {
	refs := make(map[string]string, len(encs))
	for _, e := range encs {
		if e.ID == "" || refs[e.ID] != "" {
			continue
		}
		var day string
		if e.Period != nil {
			start := e.Period.Start
			if start.IsZero() {
				start = e.Period.End
			}
			if !start.IsZero() {
				day = start.Time().In(s.settings.Location).Format(time.DateOnly)
			}
		}
		ref, err := s.sessions.Seal(ctx, e.ID+encounterRefSep+day)
		if err != nil {
			return nil, fmt.Errorf("encounter link: %w", err)
		}
		refs[e.ID] = ref
	}
	return refs, nil
}

// openEncounterRef reads a reference encounterRefs sealed in this session: the FHIR id and the
// start day (zero when the encounter had none). Anything else is not ok.
func (s *Server) openEncounterRef(ctx context.Context, ref string) (id string, on time.Time, ok bool) {
	plain, ok := s.sessions.Open(ctx, ref)
	if !ok {
		return "", time.Time{}, false
	}
	i := strings.LastIndex(plain, encounterRefSep)
	if i <= 0 {
		return "", time.Time{}, false
	}
	id, day := plain[:i], plain[i+len(encounterRefSep):]
	if day != "" {
		d, err := time.ParseInLocation(time.DateOnly, day, s.settings.Location)
		if err != nil {
			return "", time.Time{}, false
		}
		on = d
	}
	return id, on, true
}
