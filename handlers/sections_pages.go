package handlers

import (
	"context"
	"fmt"
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
//
// That time is when one of the patient's results was taken: patient data, which must not be in a
// URL (browser history, proxy logs, Referer). The URL carries it sealed for the session
// (sealCursor), as encounter drill-downs carry their reference (encounter_links.go).
type tablePage struct {
	Before time.Time
	Cursor string // Before sealed, as the request's URL had it: Retry and Refresh repeat it
	More   bool
	All    bool // every row at once (the printable chart)
}

// parseTablePage reads before=<sealed cursor>&more=1. A cursor that does not open (altered, from
// another session, a time typed in) is a 400, as an unreadable time was. more=1 without before is
// a 400: it would append the newest rows to a table that already shows them. Without htmx more=1
// is ignored: the URL is then the section's page starting at those rows.
func (s *Server) parseTablePage(c echo.Context) (tablePage, error) {
	var p tablePage
	if b := c.QueryParam("before"); b != "" {
		t, ok := s.openCursor(c.Request().Context(), b)
		if !ok {
			return p, echo.NewHTTPError(400, "invalid before time")
		}
		p.Before, p.Cursor = t, b
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

// addTo adds the page's sealed cursor to a section's query (its own URL: Retry, Refresh).
func (p tablePage) addTo(q url.Values) url.Values {
	if !p.first() {
		q.Set("before", p.Cursor)
	}
	return q
}

// moreURL is the URL of this page's "Show older" answer: path?q with the page's sealed cursor and
// more=1.
func (p tablePage) moreURL(path string, q url.Values) string {
	next := maps.Clone(q)
	if next == nil {
		next = url.Values{}
	}
	next.Set("before", p.Cursor)
	next.Set("more", "1")
	return withQuery(path, next)
}

// sealCursor seals the time a page ends at for the current session; openCursor reads it back.
// Anything else (a time as it is, an encounter reference, a cursor of another session) does not
// open.
func (s *Server) sealCursor(ctx context.Context, t time.Time) (string, error) {
	c, err := s.sessions.Seal(ctx, t.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return "", fmt.Errorf("table page: %w", err)
	}
	return c, nil
}

func (s *Server) openCursor(ctx context.Context, sealed string) (time.Time, bool) {
	plain, ok := s.sessions.Open(ctx, sealed)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, plain)
	if err != nil || t.IsZero() {
		return time.Time{}, false
	}
	return t, true
}

// fillTablePage puts one page of obs into t (whose TestID is set) and, when the table does not
// show the whole list, the line under it: the count and the control for the next older page.
// path and q are the section's URL without the page; rowsContext names the rows for screen readers.
// Its only error is a cursor that could not be sealed.
func (s *Server) fillTablePage(ctx context.Context, t *views.ObsTable, obs []fhir.Observation, pg tablePage, path string, q url.Values, rowsContext string, links present.Links) error {
	page := present.ObservationPage(obs, pg.Before, pg.limit(), s.settings.Location, links)
	t.Rows = page.Rows
	m := views.TableMore{ID: t.TestID + "-more", RowsID: t.TestID + "-rows", Text: present.PageText(page, pg.More), Context: rowsContext}
	if !page.Next.IsZero() {
		next, err := s.sealCursor(ctx, page.Next)
		if err != nil {
			return err
		}
		m.URL = tablePage{Before: page.Next, Cursor: next}.moreURL(path, q)
	}
	if m.Text != "" || m.URL != "" {
		t.More = &m
	}
	return nil
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
