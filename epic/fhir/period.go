package fhir

import "time"

// InEffectAt reports whether the period covers now: it has begun and has not ended. It is the one
// rule for "is this name, address or phone still the patient's". A nil period (none sent) and an
// open start or end are in effect: Epic sends planned moves and temporary addresses with an end
// date, and a new address with a start date, so a period's end alone does not make it old.
//
// Dates given without a time are calendar values: they are compared with now's calendar date in
// loc (the clinic's "today"), and never converted between zones. A date covers every day it names,
// as FHIR's Period.end includes any matching date/time: an end of "2026-11-14" is in effect through
// that whole day, "2026-11" through November 30, "2026" through December 31; a start of "2026-11"
// is in effect from November 1. A start or end given with a time is an instant and is compared
// with now as an instant, whatever its offset.
//
// loc must not be nil.
func (p *Period) InEffectAt(now time.Time, loc *time.Location) bool {
	if p == nil {
		return true
	}
	today := dayKey(now.In(loc).Date())
	switch {
	case p.Start.IsZero():
	case p.Start.HasTime():
		if p.Start.Time().After(now) {
			return false
		}
	default:
		// Missing month and day are 0, which sorts before the first day they stand for.
		if dayKey(p.Start.Civil()) > today {
			return false
		}
	}
	switch {
	case p.End.IsZero():
	case p.End.HasTime():
		if now.After(p.End.Time()) {
			return false
		}
	default:
		y, m, d := p.End.Civil()
		if m == 0 {
			m = 12
		}
		if d == 0 {
			d = 31 // any month's last day or later: only the order matters
		}
		if dayKey(y, m, d) < today {
			return false
		}
	}
	return true
}

// dayKey orders calendar days (and the partial dates Civil returns) as one number.
func dayKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }
