package sandbox

import (
	"fmt"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// dateFilter is one `date` search value such as ge2024-01-01. Several are ANDed, so
// date=ge2024-01-01&date=le2024-12-31 is a range.
type dateFilter struct {
	prefix   string    // eq, ne, ge, gt, le, lt
	from, to time.Time // the instants the value's precision covers
}

func parseDateFilters(values []string) ([]dateFilter, error) {
	out := make([]dateFilter, 0, len(values))
	for _, v := range values {
		prefix := "eq"
		if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' {
			prefix, v = v[:2], v[2:]
		}
		switch prefix {
		case "eq", "ne", "ge", "gt", "le", "lt":
		default:
			return nil, fmt.Errorf("unsupported date prefix %q", prefix)
		}
		d, err := fhir.ParseDateTime(v)
		if err != nil {
			return nil, fmt.Errorf("invalid date %q", v)
		}
		// Epic reads a date without a zone in server-local time; the sandbox's server time is UTC.
		from, to := dateBounds(d)
		out = append(out, dateFilter{prefix: prefix, from: from, to: to})
	}
	return out, nil
}

// matches applies FHIR date-search semantics to a resource covering [start, end]; an open end
// (zero) extends to the future. Records with no date at all never match a date filter.
func (f dateFilter) matches(start, end time.Time) bool {
	if start.IsZero() {
		return false
	}
	open := end.IsZero()
	switch f.prefix {
	case "eq":
		return !start.Before(f.from) && !open && !end.After(f.to)
	case "ne":
		return !(!start.Before(f.from) && !open && !end.After(f.to))
	case "ge":
		return open || !end.Before(f.from)
	case "gt":
		return open || end.After(f.to)
	case "le":
		return !start.After(f.to)
	case "lt":
		return start.Before(f.from)
	}
	return false
}

func matchAllDates(filters []dateFilter, r *record) bool {
	for _, f := range filters {
		if !f.matches(r.start, r.end) {
			return false
		}
	}
	return true
}
