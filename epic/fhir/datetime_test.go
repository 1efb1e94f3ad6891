package fhir

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in      string
		prec    Precision
		wantUTC string // Time() in UTC, RFC3339Nano
		y, m, d int
		dateOK  bool // also valid as a FHIR date
	}{
		{"2024", PrecisionYear, "2024-01-01T00:00:00Z", 2024, 0, 0, true},
		{"2024-03", PrecisionMonth, "2024-03-01T00:00:00Z", 2024, 3, 0, true},
		{"1987-09-12", PrecisionDay, "1987-09-12T00:00:00Z", 1987, 9, 12, true},
		{"2024-02-29", PrecisionDay, "2024-02-29T00:00:00Z", 2024, 2, 29, true},
		{"2023-06-06T16:20:00Z", PrecisionSecond, "2023-06-06T16:20:00Z", 2023, 6, 6, false},
		{"2023-06-06T23:30:00-05:00", PrecisionSecond, "2023-06-07T04:30:00Z", 2023, 6, 6, false},
		{"2023-06-06T00:30:00+14:00", PrecisionSecond, "2023-06-05T10:30:00Z", 2023, 6, 6, false},
		{"2026-04-24T21:10:19.123Z", PrecisionSubsecond, "2026-04-24T21:10:19.123Z", 2026, 4, 24, false},
		{"2026-04-24T21:10:19.1234567891234Z", PrecisionSubsecond, "2026-04-24T21:10:19.123456789Z", 2026, 4, 24, false},
		{"2016-12-31T23:59:60Z", PrecisionSecond, "2017-01-01T00:00:00Z", 2016, 12, 31, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			dt, err := ParseDateTime(tt.in)
			if err != nil {
				t.Fatalf("ParseDateTime: %v", err)
			}
			if got := dt.String(); got != tt.in {
				t.Errorf("String = %q, want %q", got, tt.in)
			}
			if got := dt.Precision(); got != tt.prec {
				t.Errorf("Precision = %v, want %v", got, tt.prec)
			}
			if got := dt.Time().UTC().Format(time.RFC3339Nano); got != tt.wantUTC {
				t.Errorf("Time = %s, want %s", got, tt.wantUTC)
			}
			if y, m, d := dt.Civil(); y != tt.y || int(m) != tt.m || d != tt.d {
				t.Errorf("Civil = %d-%d-%d, want %d-%d-%d", y, m, d, tt.y, tt.m, tt.d)
			}
			if dt.IsZero() || dt.HasTime() != (tt.prec >= PrecisionSecond) {
				t.Errorf("IsZero/HasTime wrong")
			}
			_, err = ParseDate(tt.in)
			if (err == nil) != tt.dateOK {
				t.Errorf("ParseDate err = %v, want ok=%v", err, tt.dateOK)
			}
		})
	}
}

func TestParseDateTimeRejects(t *testing.T) {
	bad := []string{
		"", "202", "0000", "20x4", "2024-", "2024-1", "2024-13", "2024-00", "2024-02-30", "2023-02-29",
		"2024-01-00", "2024-01-32", "2024/01/01", "2024-01-01T", "2024-01-01T10:00", "2024-01-01T10:00Z",
		"2024-01-01T10:00:00", "2024-01-01T24:00:00Z", "2024-01-01T10:60:00Z", "2024-01-01T10:00:61Z",
		"2024-01-01T10:00:00.Z", "2024-01-01T10:00:00+15:00", "2024-01-01T10:00:00+14:30",
		"2024-01-01T10:00:00+0500", "2024-01-01T10:00:00z", "2024-01-01 10:00:00Z", "2024-01-01T10:00:00Zjunk",
		" 2024", "2024-01-01\n",
	}
	for _, s := range bad {
		if _, err := ParseDateTime(s); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseDateTime(%q) err = %v, want ErrInvalidDate", s, err)
		}
	}
}

// TestBirthDateNeverShifts: a date is a calendar day in every zone and through JSON.
func TestBirthDateNeverShifts(t *testing.T) {
	var p struct {
		BirthDate Date `json:"birthDate,omitzero"`
	}
	if err := json.Unmarshal([]byte(`{"birthDate":"1987-09-12"}`), &p); err != nil {
		t.Fatal(err)
	}
	if y, m, d := p.BirthDate.Civil(); y != 1987 || m != time.September || d != 12 {
		t.Errorf("Civil = %d-%d-%d", y, m, d)
	}
	// Time is midnight UTC, so formatting it in UTC gives the same calendar day.
	if got := p.BirthDate.Time().UTC().Format(time.DateOnly); got != "1987-09-12" {
		t.Errorf("Time().UTC() day = %s", got)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"birthDate":"1987-09-12"}`; got != want {
		t.Errorf("marshal = %s, want %s", got, want)
	}
	var empty struct {
		BirthDate Date `json:"birthDate,omitzero"`
	}
	out, _ = json.Marshal(empty)
	if got := string(out); got != `{}` {
		t.Errorf("zero date marshal = %s, want {}", got)
	}
}

func TestDateUnmarshalErrorsHaveNoValue(t *testing.T) {
	var d Date
	err := json.Unmarshal([]byte(`"1987-09-12T10:00:00Z"`), &d)
	if !errors.Is(err, ErrInvalidDate) {
		t.Fatalf("err = %v, want ErrInvalidDate", err)
	}
	if strings.Contains(err.Error(), "1987") {
		t.Errorf("error leaks the value: %v", err)
	}
	if err := json.Unmarshal([]byte(`19870912`), &d); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("number: err = %v", err)
	}
	if err := json.Unmarshal([]byte(`null`), &d); err != nil || !d.IsZero() {
		t.Errorf("null: err = %v zero=%v", err, d.IsZero())
	}
}

func TestNewDateTimeAndNewDate(t *testing.T) {
	loc := time.FixedZone("", -5*3600)
	tests := []struct {
		got  string
		want string
	}{
		{NewDateTime(time.Date(2024, 3, 7, 10, 15, 0, 0, loc)).String(), "2024-03-07T10:15:00-05:00"},
		{NewDateTime(time.Date(2024, 3, 7, 10, 15, 0, 5e8, time.UTC)).String(), "2024-03-07T10:15:00.5Z"},
		{NewDateTime(time.Time{}).String(), ""},
		{NewDate(1987, time.September, 12).String(), "1987-09-12"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	// What NewDateTime writes must parse back to the same instant.
	in := time.Date(2024, 3, 7, 10, 15, 0, 123456789, loc)
	back, err := ParseDateTime(NewDateTime(in).String())
	if err != nil || !back.Time().Equal(in) {
		t.Errorf("reparse = %v, %v", back.Time(), err)
	}
}

// FuzzParseDateTime: never panics; accepted values keep their string and re-parse identically.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2024", "2024-03", "1987-09-12", "2023-06-06T16:20:00Z",
		"2023-06-06T23:30:00-05:00", "2026-04-24T21:10:19.123Z", "2016-12-31T23:59:60Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dt, err := ParseDateTime(s)
		if err != nil {
			if dt != (DateTime{}) {
				t.Fatalf("error with non-zero value")
			}
			return
		}
		if dt.String() != s || dt.Precision() == PrecisionNone {
			t.Fatalf("accepted %q but String=%q prec=%v", s, dt.String(), dt.Precision())
		}
		b, err := json.Marshal(dt)
		if err != nil {
			t.Fatal(err)
		}
		var back DateTime
		if err := json.Unmarshal(b, &back); err != nil || back.String() != s || !back.Time().Equal(dt.Time()) {
			t.Fatalf("json round trip of %q: %v", s, err)
		}
		if d, err := ParseDate(s); err == nil && d.Time() != dt.Time() {
			t.Fatalf("date and dateTime disagree for %q", s)
		}
	})
}

// TestDateDecodersAgree: the v2 decoder Unmarshal uses (UnmarshalJSONFrom) and encoding/json
// (UnmarshalJSON) read every date and dateTime alike, and refuse the same things without the value.
func TestDateDecodersAgree(t *testing.T) {
	for _, in := range []string{
		`{"d":"2024","t":"2024"}`, `{"d":"2024-03","t":"2024-03"}`, `{"d":"1987-09-12","t":"2024-03-07T23:30:00-05:00"}`,
		`{"d":null,"t":null}`, `{}`, `{"d":"1987-09-12T10:00:00Z"}`, `{"t":"2024-03-07T10:15"}`, `{"t":"2024-02-30"}`,
		`{"d":19870912}`, `{"t":{"v":"2024"}}`, `{"t":["2024"]}`, `{"t":true}`, `{"t":"2024-03-07T10:15:00+14:00"}`,
		`{"t":"\u0032024"}`,
	} {
		type doc struct {
			D Date     `json:"d"`
			T DateTime `json:"t"`
		}
		var v1, v2 doc
		err1 := json.Unmarshal([]byte(in), &v1)
		err2 := Unmarshal([]byte(in), &v2)
		if (err1 == nil) != (err2 == nil) {
			t.Errorf("%s: encoding/json err %v, Unmarshal err %v", in, err1, err2)
			continue
		}
		if err2 != nil {
			if !errors.Is(err2, ErrInvalidDate) {
				t.Errorf("%s: err %v, want ErrInvalidDate", in, err2)
			}
			if strings.Contains(err2.Error(), "2024") || strings.Contains(err2.Error(), "1987") {
				t.Errorf("%s: error shows the value: %v", in, err2)
			}
			continue
		}
		if v1.D != v2.D || v1.T != v2.T {
			t.Errorf("%s: encoding/json %+v, Unmarshal %+v", in, v1, v2)
		}
	}
}
