package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// Precision is how much of a FHIR date or dateTime was actually given.
type Precision int

// Precisions, from least to most precise. A FHIR dateTime with a time part always carries
// seconds and a zone, so there is no minute precision.
const (
	PrecisionNone      Precision = iota // the zero value: no date at all
	PrecisionYear                       // "2024"
	PrecisionMonth                      // "2024-03"
	PrecisionDay                        // "2024-03-07"
	PrecisionSecond                     // "2024-03-07T10:15:00-05:00"
	PrecisionSubsecond                  // "2024-03-07T10:15:00.123Z"
)

// String names the precision ("year", "month", ...).
func (p Precision) String() string {
	switch p {
	case PrecisionYear:
		return "year"
	case PrecisionMonth:
		return "month"
	case PrecisionDay:
		return "day"
	case PrecisionSecond:
		return "second"
	case PrecisionSubsecond:
		return "subsecond"
	default:
		return "none"
	}
}

// ErrInvalidDate is wrapped by every date and dateTime parse error. The error text never
// includes the rejected value, because dates such as a birth date are PHI.
var ErrInvalidDate = errors.New("fhir: invalid date")

// dateValue is the shared representation of Date and DateTime: the string exactly as given,
// plus the parsed parts.
type dateValue struct {
	raw  string
	t    time.Time // instant for time precisions; midnight UTC of the first day otherwise
	prec Precision
}

// Date is a FHIR date: "YYYY", "YYYY-MM" or "YYYY-MM-DD". It is a calendar value, not an
// instant: show it with String or Civil, never by converting Time to another zone.
type Date struct{ v dateValue }

// DateTime is a FHIR dateTime or instant: a Date form, or a full date and time with seconds and a
// zone ("2023-06-06T16:20:00Z", "2023-06-06T11:20:00-05:00"). The original string and offset are
// kept.
type DateTime struct{ v dateValue }

// ParseDate parses a FHIR date (year, year-month or full date).
func ParseDate(s string) (Date, error) {
	v, err := parseDateValue(s, false)
	if err != nil {
		return Date{}, err
	}
	return Date{v}, nil
}

// ParseDateTime parses a FHIR dateTime or instant, keeping its precision and offset.
func ParseDateTime(s string) (DateTime, error) {
	v, err := parseDateValue(s, true)
	if err != nil {
		return DateTime{}, err
	}
	return DateTime{v}, nil
}

// NewDate returns the full-precision date for a calendar day. Out-of-range parts are normalised
// the way time.Date does.
func NewDate(year int, month time.Month, day int) Date {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Date{dateValue{raw: t.Format(time.DateOnly), t: t, prec: PrecisionDay}}
}

// NewDateTime returns the dateTime for an instant, written in t's own offset with second
// precision (or sub-second when t has nanoseconds).
func NewDateTime(t time.Time) DateTime {
	if t.IsZero() {
		return DateTime{}
	}
	layout, prec := time.RFC3339, PrecisionSecond
	if t.Nanosecond() != 0 {
		layout, prec = time.RFC3339Nano, PrecisionSubsecond
	}
	return DateTime{dateValue{raw: t.Format(layout), t: t, prec: prec}}
}

// String returns the value exactly as it was given ("" when zero).
func (d Date) String() string { return d.v.raw }

// Precision reports how much of the date was given.
func (d Date) Precision() Precision { return d.v.prec }

// IsZero reports whether no date is present. It also makes `omitzero` drop the field.
func (d Date) IsZero() bool { return d.v.prec == PrecisionNone }

// Time returns midnight UTC at the start of the date (missing month/day count as 1). Use it
// for ordering and arithmetic only; converting it to a local zone can show the previous day.
func (d Date) Time() time.Time { return d.v.t }

// Civil returns the calendar parts as written; month and day are 0 when not given.
func (d Date) Civil() (year int, month time.Month, day int) { return d.v.civil() }

// MarshalJSON writes the original string.
func (d Date) MarshalJSON() ([]byte, error) { return d.v.marshal() }

// UnmarshalJSON parses a JSON string as a FHIR date; null leaves the zero value.
func (d *Date) UnmarshalJSON(b []byte) error { return d.v.unmarshal(b, false) }

// UnmarshalJSONFrom is UnmarshalJSON for the v2 decoder that Unmarshal uses.
func (d *Date) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return d.v.unmarshalFrom(dec, false) }

// String returns the value exactly as it was given ("" when zero).
func (d DateTime) String() string { return d.v.raw }

// Precision reports how much of the dateTime was given.
func (d DateTime) Precision() Precision { return d.v.prec }

// IsZero reports whether no dateTime is present. It also makes `omitzero` drop the field.
func (d DateTime) IsZero() bool { return d.v.prec == PrecisionNone }

// Time returns the instant in the offset that was given. For date-only precisions it is
// midnight UTC at the start of the period: good for ordering, wrong for display in a zone.
func (d DateTime) Time() time.Time { return d.v.t }

// HasTime reports whether a time of day (and so a real instant) was given.
func (d DateTime) HasTime() bool { return d.v.prec >= PrecisionSecond }

// Civil returns the calendar parts as written; month and day are 0 when not given.
func (d DateTime) Civil() (year int, month time.Month, day int) { return d.v.civil() }

// Before reports whether d starts before e. Zero values sort first.
func (d DateTime) Before(e DateTime) bool { return d.v.t.Before(e.v.t) }

// MarshalJSON writes the original string.
func (d DateTime) MarshalJSON() ([]byte, error) { return d.v.marshal() }

// UnmarshalJSON parses a JSON string as a FHIR dateTime or instant; null leaves the zero value.
func (d *DateTime) UnmarshalJSON(b []byte) error { return d.v.unmarshal(b, true) }

// UnmarshalJSONFrom is UnmarshalJSON for the v2 decoder that Unmarshal uses: it reads the string
// from the decoder, where going through UnmarshalJSON copied each one and decoded it again with
// encoding/json (a few percent of the server's CPU under load: BENCHMARKS.md).
func (d *DateTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return d.v.unmarshalFrom(dec, true)
}

func (v dateValue) civil() (int, time.Month, int) {
	switch v.prec {
	case PrecisionNone:
		return 0, 0, 0
	case PrecisionYear:
		return v.t.Year(), 0, 0
	case PrecisionMonth:
		return v.t.Year(), v.t.Month(), 0
	}
	// Read the digits as written: the offset is the wall clock where the event happened, so
	// converting would change the day for late-evening events (and a leap second would roll
	// over into the next day).
	y, _ := digits(v.raw, 0, 4)
	m, _ := digits(v.raw, 5, 2)
	d, _ := digits(v.raw, 8, 2)
	return y, time.Month(m), d
}

func (v dateValue) marshal() ([]byte, error) {
	if v.prec == PrecisionNone {
		return []byte("null"), nil
	}
	return json.Marshal(v.raw)
}

func (v *dateValue) unmarshalFrom(dec *jsontext.Decoder, allowTime bool) error {
	switch dec.PeekKind() {
	case 'n', '"':
	default:
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return fmt.Errorf("%w: not a JSON string", ErrInvalidDate)
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() == 'n' {
		*v = dateValue{}
		return nil
	}
	parsed, err := parseDateValue(tok.String(), allowTime)
	if err != nil {
		return err
	}
	*v = parsed
	return nil
}

func (v *dateValue) unmarshal(b []byte, allowTime bool) error {
	if string(b) == "null" {
		*v = dateValue{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: not a JSON string", ErrInvalidDate)
	}
	parsed, err := parseDateValue(s, allowTime)
	if err != nil {
		return err
	}
	*v = parsed
	return nil
}
