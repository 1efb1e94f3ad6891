package present

import (
	"fmt"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// Layouts for dates and times. Month names avoid the day/month order ambiguity of numeric dates.
const (
	layoutDay   = "Jan 2, 2006"
	layoutMonth = "Jan 2006"
	layoutTime  = "15:04"
)

// Date formats a calendar date as given: "1970", "Mar 1970" or "Mar 7, 1970". It reads the calendar
// parts as written and never converts to a zone, so a birth date cannot move to another day.
func Date(d fhir.Date) string {
	return civil(d.Civil())
}

func civil(y int, m time.Month, d int) string {
	switch {
	case y == 0:
		return ""
	case m == 0:
		return fmt.Sprintf("%04d", y)
	case d == 0:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Format(layoutMonth)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(layoutDay)
}

// DateTime formats a FHIR dateTime for display. Date-only values stay as given (partial dates stay
// partial). Instants are shown in the clinic zone; the zone abbreviation is added when the source's
// offset differs from the clinic's, so a reader knows the time was converted.
func DateTime(d fhir.DateTime, loc *time.Location) string {
	if d.IsZero() {
		return ""
	}
	if !d.HasTime() {
		return civil(d.Civil())
	}
	t := d.Time()
	local := t.In(loc)
	s := local.Format(layoutDay + " " + layoutTime)
	if note := zoneNote(t, local); note != "" {
		s += " " + note
	}
	return s
}

// zoneNote is the clinic zone's name (or offset) when the source was written in another offset.
func zoneNote(src, local time.Time) string {
	_, srcOff := src.Zone()
	name, locOff := local.Zone()
	if srcOff == locOff {
		return ""
	}
	if name == "" || name[0] == '+' || name[0] == '-' {
		return local.Format("-07:00")
	}
	return name
}

// Period formats a start–end range, collapsing the repeated day: "Jun 6, 2023 11:20 – 12:35 CDT".
func Period(p *fhir.Period, loc *time.Location) string {
	if p == nil {
		return ""
	}
	start, end := DateTime(p.Start, loc), DateTime(p.End, loc)
	switch {
	case start == "" && end == "":
		return ""
	case end == "" || end == start:
		if start == "" {
			return "until " + end
		}
		return start
	case start == "":
		return "until " + end
	}
	// Same clinic day, both with times: show the day once.
	if p.Start.HasTime() && p.End.HasTime() {
		s, e := p.Start.Time().In(loc), p.End.Time().In(loc)
		if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
			return s.Format(layoutDay+" "+layoutTime) + " – " + DateTimeClock(p.End, loc)
		}
	}
	return start + " – " + end
}

// DateTimeClock is the time of day of an instant in the clinic zone, with the zone note.
func DateTimeClock(d fhir.DateTime, loc *time.Location) string {
	t := d.Time()
	local := t.In(loc)
	s := local.Format(layoutTime)
	if note := zoneNote(t, local); note != "" {
		s += " " + note
	}
	return s
}

// AsOf is the "as of 10:42" line of a section fetched at t.
func AsOf(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	local := t.In(loc)
	return "as of " + local.Format(layoutTime)
}

// Age is the age at now (or at death) with the precision the birth date allows: "38 y", "14 mo",
// "12 d", or a span such as "37–38 y" when only the year or month is known.
func Age(birth fhir.Date, at time.Time) string {
	y, m, d := birth.Civil()
	if y == 0 {
		return ""
	}
	ay, am, ad := at.Date()
	switch {
	case m == 0:
		// Only the year: the birthday may or may not have passed this year.
		hi := ay - y
		if hi < 0 {
			return ""
		}
		if hi == 0 {
			return "under 1 y"
		}
		return fmt.Sprintf("%d–%d y", hi-1, hi)
	case d == 0:
		months := (ay-y)*12 + int(am-m)
		if months < 0 {
			return ""
		}
		if am == m {
			// Birthday month: the day is unknown, so the age may still be one less.
			if months/12 == 0 {
				return "under 1 mo"
			}
			if months < 24 {
				return fmt.Sprintf("%d–%d mo", months-1, months)
			}
			return fmt.Sprintf("%d–%d y", months/12-1, months/12)
		}
		if months < 24 {
			// The unknown birth day may still be ahead this month, unless today is at or past
			// the birth month's last day: then the months are exact.
			if ad < time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() {
				return fmt.Sprintf("%d–%d mo", months-1, months)
			}
			return fmt.Sprintf("%d mo", months)
		}
		return fmt.Sprintf("%d y", months/12)
	}
	months := (ay-y)*12 + int(am-m)
	if ad < d {
		months--
	}
	if months < 0 {
		return ""
	}
	if months >= 24 {
		return fmt.Sprintf("%d y", months/12)
	}
	if months >= 1 {
		return fmt.Sprintf("%d mo", months)
	}
	born := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	today := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("%d d", int(today.Sub(born).Hours()/24))
}

// orNotRecorded returns s, or views.NotRecorded when s is empty.
func orNotRecorded(s string) string {
	if s == "" {
		return views.NotRecorded
	}
	return s
}
