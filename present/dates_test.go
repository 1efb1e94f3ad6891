package present

import (
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

func mustDate(t *testing.T, s string) fhir.Date {
	t.Helper()
	d, err := fhir.ParseDate(s)
	if err != nil {
		t.Fatalf("parse date: %v", err)
	}
	return d
}

func mustDateTime(t *testing.T, s string) fhir.DateTime {
	t.Helper()
	d, err := fhir.ParseDateTime(s)
	if err != nil {
		t.Fatalf("parse dateTime: %v", err)
	}
	return d
}

func TestDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1970", "1970"},
		{"1970-03", "Mar 1970"},
		{"1987-09-12", "Sep 12, 1987"},
		{"2000-01-01", "Jan 1, 2000"}, // would be Dec 31, 1999 if shifted west of UTC
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Date(mustDate(t, tt.in)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDateTime(t *testing.T) {
	chi := chicago(t)
	tests := []struct {
		name string
		in   string
		loc  *time.Location
		want string
	}{
		{"UTC source in Chicago names the zone", "2023-06-06T16:20:00Z", chi, "Jun 6, 2023 11:20 CDT"},
		{"winter", "2021-01-11T20:33:19Z", chi, "Jan 11, 2021 14:33 CST"},
		{"same offset as clinic: no zone", "2023-06-06T11:20:00-05:00", chi, "Jun 6, 2023 11:20"},
		{"late evening crosses the day", "2023-06-07T03:30:00Z", chi, "Jun 6, 2023 22:30 CDT"},
		{"date only never shifts", "2023-06-02", chi, "Jun 2, 2023"},
		{"month only", "1970-03", chi, "Mar 1970"},
		{"year only", "1970", chi, "1970"},
		{"UTC clinic", "2023-06-06T16:20:00Z", time.UTC, "Jun 6, 2023 16:20"},
		{"fixed zone without a name shows the offset", "2023-06-06T16:20:00Z", time.FixedZone("", 3*3600), "Jun 6, 2023 19:20 +03:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DateTime(mustDateTime(t, tt.in), tt.loc); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := DateTime(fhir.DateTime{}, chi); got != "" {
		t.Errorf("zero dateTime = %q, want empty", got)
	}
}

func TestPeriod(t *testing.T) {
	chi := chicago(t)
	p := func(s, e string) *fhir.Period {
		var per fhir.Period
		if s != "" {
			per.Start = mustDateTime(t, s)
		}
		if e != "" {
			per.End = mustDateTime(t, e)
		}
		return &per
	}
	tests := []struct {
		name string
		in   *fhir.Period
		want string
	}{
		{"nil", nil, ""},
		{"same day", p("2023-06-06T16:20:00Z", "2023-06-06T17:35:00Z"), "Jun 6, 2023 11:20 – 12:35 CDT"},
		{"across days", p("2023-06-06T16:20:00Z", "2023-06-08T17:35:00Z"), "Jun 6, 2023 11:20 CDT – Jun 8, 2023 12:35 CDT"},
		{"open end", p("2023-06-06T16:20:00Z", ""), "Jun 6, 2023 11:20 CDT"},
		{"end only", p("", "2023-06-02"), "until Jun 2, 2023"},
		{"date only equal", p("2023-06-02", "2023-06-02"), "Jun 2, 2023"},
		{"dates", p("2023-06-02", "2023-06-05"), "Jun 2, 2023 – Jun 5, 2023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Period(tt.in, chi); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAge(t *testing.T) {
	at := time.Date(2026, 4, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct{ birth, want string }{
		{"1987-09-12", "38 y"},
		{"1987-04-28", "39 y"}, // birthday today
		{"1987-04-29", "38 y"}, // birthday tomorrow
		{"2025-01-10", "15 mo"},
		{"2026-04-01", "27 d"},
		{"2026-03-28", "1 mo"},
		{"1987-09", "38 y"},
		// Birth month only, under two years: the age in months is one less when the unknown birth
		// day is after today's day of the month, unless today is that month's last day or later.
		{"2025-03", "12–13 mo"}, // born Mar 1..28: 13 mo; Mar 29..31: 12 mo
		{"2025-02", "14 mo"},    // February 2025 has 28 days: every birth day has passed
		{"2026-03", "0–1 mo"},
		{"2024-05", "22–23 mo"},
		{"1987-04", "38–39 y"}, // birthday month: the day is unknown
		{"1987", "38–39 y"},
		{"2026", "under 1 y"},
		{"2027-01-01", ""}, // future birth date: no age rather than a negative one
	}
	for _, tt := range tests {
		t.Run(tt.birth, func(t *testing.T) {
			if got := Age(mustDate(t, tt.birth), at); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAsOfAndAgo(t *testing.T) {
	chi := chicago(t)
	if got, want := AsOf(time.Date(2026, 4, 28, 15, 42, 10, 0, time.UTC), chi), "as of 10:42"; got != want {
		t.Errorf("AsOf = %q, want %q", got, want)
	}
	tests := []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Minute, "45 minutes"},
		{time.Hour, "1 hour"},
		{47 * time.Hour, "47 hours"},
		{3 * 24 * time.Hour, "3 days"},
		{90 * 24 * time.Hour, "3 months"},
		{800 * 24 * time.Hour, "2 years"},
	}
	for _, tt := range tests {
		if got := Ago(tt.d); got != tt.want {
			t.Errorf("Ago(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
