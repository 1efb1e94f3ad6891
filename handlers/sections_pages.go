package handlers

import (
	"maps"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/views"
)

// Rows of the vitals and labs tables. A year of a long history is hundreds of rows (~600 bytes
// each), so the first view shows the newest ones and says how many there are, and "Show older"
// appends the rest in place, olderRows at a time (a whole year in one step for any but the longest
// records; "All" of a decades-long record in a few).
const (
	firstViewRows = 100
	olderRows     = 500
)

// tablePage is the part of a vitals or labs table a request asks for: the rows older than Before
// (zero: from the newest), and whether they are to be appended to the table already on screen
// (more=1, the htmx "Show older") instead of making a section of their own. Before is the exact
// time of the last row shown (present.ObservationPage), so a later page neither repeats nor skips a
// result, even when new results arrived in between.
type tablePage struct {
	Before time.Time
	More   bool
	All    bool // every row at once (the printable chart)
}

// parseTablePage reads before=<RFC 3339 time>&more=1. more=1 without before is a 400: it would
// append the newest rows to a table that already shows them. Without htmx more=1 is ignored: the
// URL is then the section's page starting at those rows.
func parseTablePage(c echo.Context) (tablePage, error) {
	var p tablePage
	if b := c.QueryParam("before"); b != "" {
		t, err := time.Parse(time.RFC3339Nano, b)
		if err != nil {
			return p, echo.NewHTTPError(400, "invalid before time")
		}
		p.Before = t
	}
	switch c.QueryParam("more") {
	case "":
	case "1":
		if p.Before.IsZero() {
			return p, echo.NewHTTPError(400, "more=1 needs before")
		}
		// Only htmx appends; any other request for the URL gets the section's page.
		p.More = isFragment(c.Request())
	default:
		return p, echo.NewHTTPError(400, "invalid more")
	}
	return p, nil
}

// first reports whether this is the table's first page, the one the chart prefetches.
func (p tablePage) first() bool { return p.Before.IsZero() }

func (p tablePage) limit() int {
	switch {
	case p.All:
		return 0
	case p.first():
		return firstViewRows
	}
	return olderRows
}

// addTo adds the page's cursor to a section's query (its own URL: Retry, Refresh).
func (p tablePage) addTo(q url.Values) url.Values {
	if !p.first() {
		q.Set("before", cursor(p.Before))
	}
	return q
}

// moreURL is the URL of this page's "Show older" answer: path?q with the page's cursor and more=1.
func (p tablePage) moreURL(path string, q url.Values) string {
	next := maps.Clone(q)
	if next == nil {
		next = url.Values{}
	}
	next.Set("before", cursor(p.Before))
	next.Set("more", "1")
	return withQuery(path, next)
}

func cursor(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// fillTablePage puts one page of obs into t (whose TestID is set) and, when the table does not
// show the whole list, the line under it: the count and the control for the next older page.
// path and q are the section's URL without the page; context names the rows for screen readers.
func (s *Server) fillTablePage(t *views.ObsTable, obs []fhir.Observation, pg tablePage, path string, q url.Values, context string, links present.Links) {
	page := present.ObservationPage(obs, pg.Before, pg.limit(), s.settings.Location, links)
	t.Rows = page.Rows
	m := views.TableMore{ID: t.TestID + "-more", RowsID: t.TestID + "-rows", Text: present.PageText(page, pg.More), Context: context}
	if !page.Next.IsZero() {
		m.URL = tablePage{Before: page.Next}.moreURL(path, q)
	}
	if m.Text != "" || m.URL != "" {
		t.More = &m
	}
}

// tableMoreView is the answer to "Show older" for table t: its rows and its rewritten line. When
// the search failed the line says so and offers the same rows again (retryURL).
func tableMoreView(t views.ObsTable, context string, fetchErr error, retryURL string) views.ObsMore {
	m := views.ObsMore{Rows: t.Rows, More: views.TableMore{ID: t.TestID + "-more", RowsID: t.TestID + "-rows", Context: context}}
	if t.More != nil {
		m.More = *t.More
	}
	if fetchErr != nil {
		m.More.Text = "Older results could not be loaded: " + upstreamAlert(fetchErr).Title + "."
		m.More.URL = retryURL
	}
	return m
}
