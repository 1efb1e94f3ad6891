package fhir

import (
	"fmt"
	"time"
)

// parseDateValue is a hand-written parser for the FHIR R4 date and dateTime grammar:
//
//	YYYY[-MM[-DD[Thh:mm:ss[.f+](Z|(+|-)hh:mm)]]]
//
// It is strict (Epic follows the grammar, and a lenient parser would silently move dates) and
// indexes only after checking lengths, so it cannot panic on any input (see the fuzz test).
func parseDateValue(s string, allowTime bool) (dateValue, error) {
	fail := func(why string) (dateValue, error) {
		return dateValue{}, fmt.Errorf("%w: %s", ErrInvalidDate, why)
	}
	if len(s) < 4 {
		return fail("too short")
	}
	year, ok := digits(s, 0, 4)
	if !ok || year == 0 {
		return fail("bad year")
	}
	if len(s) == 4 {
		return dateValue{raw: s, t: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), prec: PrecisionYear}, nil
	}
	if len(s) < 7 || s[4] != '-' {
		return fail("bad month")
	}
	month, ok := digits(s, 5, 2)
	if !ok || month < 1 || month > 12 {
		return fail("bad month")
	}
	if len(s) == 7 {
		return dateValue{raw: s, t: time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), prec: PrecisionMonth}, nil
	}
	if len(s) < 10 || s[7] != '-' {
		return fail("bad day")
	}
	day, ok := digits(s, 8, 2)
	if !ok || day < 1 || day > daysIn(year, time.Month(month)) {
		return fail("bad day")
	}
	if len(s) == 10 {
		return dateValue{raw: s, t: time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), prec: PrecisionDay}, nil
	}
	if !allowTime {
		return fail("a date cannot have a time")
	}
	// Time part: "Thh:mm:ss" is 9 characters starting at index 10.
	if len(s) < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return fail("bad time")
	}
	hour, ok1 := digits(s, 11, 2)
	minute, ok2 := digits(s, 14, 2)
	sec, ok3 := digits(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || sec > 60 {
		return fail("bad time")
	}
	i, nsec, prec := 19, 0, PrecisionSecond
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if i-start < 9 { // keep nanoseconds; further digits are accepted and kept in raw
				nsec = nsec*10 + int(s[i]-'0')
			}
			i++
		}
		if i == start {
			return fail("bad fraction")
		}
		for n := i - start; n < 9; n++ {
			nsec *= 10
		}
		prec = PrecisionSubsecond
	}
	loc, ok := zone(s[i:])
	if !ok {
		return fail("bad zone")
	}
	// A leap second (":60") is legal FHIR; time.Date normalises it into the next minute.
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	return dateValue{raw: s, t: t, prec: prec}, nil
}

// zone parses "Z" or "+hh:mm"/"-hh:mm" (FHIR allows offsets up to 14:00).
func zone(s string) (*time.Location, bool) {
	if s == "Z" {
		return time.UTC, true
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return nil, false
	}
	h, ok1 := digits(s, 1, 2)
	m, ok2 := digits(s, 4, 2)
	if !ok1 || !ok2 || m > 59 || h > 14 || (h == 14 && m != 0) {
		return nil, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return time.FixedZone("", off), true
}

// digits reads n ASCII digits at s[i:]; the caller has checked len(s) >= i+n.
func digits(s string, i, n int) (int, bool) {
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
