package epic

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chartside/chartside/epic/fhir"
)

// DefaultObservationCategories returns the categories searched when ObservationQuery names
// none and no code: vital-signs, laboratory, social-history.
func DefaultObservationCategories() []string {
	return []string{fhir.CategoryVitalSigns, fhir.CategoryLaboratory, fhir.CategorySocialHistory}
}

// ObservationQuery narrows an Observation search. Epic requires a category or a code.
type ObservationQuery struct {
	// Categories are searched one request each, concurrently, and merged in this order. Empty:
	// vital-signs, laboratory and social-history — unless Code is set, then no category filter.
	Categories []string
	// Code selects one analyte ("system|code" or "code"), e.g. "http://loinc.org|2345-7".
	Code     string
	From, To time.Time // effective date range, inclusive, by calendar day in each time's zone
	Count    int       // _count page size (Epic: 1-1000); 0 leaves Epic's default
	MaxPages int       // page cap per category; 0 uses Config.MaxPages
}

// SearchObservations searches a patient's observations, one request per category in parallel.
// A category Epic forbids (403: the app's scopes are per category) becomes a warning rather than
// failing the others; any other failure fails the whole search.
func (c *Client) SearchObservations(ctx context.Context, patientID string, q ObservationQuery) (Result[fhir.Observation], error) {
	if err := checkPatientID(OpObservationSearch, patientID); err != nil {
		return Result[fhir.Observation]{}, err
	}
	if strings.Contains(q.Code, ",") || strings.IndexFunc(q.Code, isControl) >= 0 {
		return Result[fhir.Observation]{}, &FHIRError{Op: OpObservationSearch, kind: ErrInvalidQuery, detail: "invalid observation code"}
	}
	cats := q.Categories
	if len(cats) == 0 && q.Code == "" {
		cats = DefaultObservationCategories()
	}
	if len(cats) == 0 {
		cats = []string{""} // code only
	}
	for _, cat := range cats {
		if strings.ContainsAny(cat, ",|") || strings.IndexFunc(cat, isControl) >= 0 {
			return Result[fhir.Observation]{}, &FHIRError{Op: OpObservationSearch, kind: ErrInvalidQuery, detail: "invalid observation category"}
		}
	}
	one := func(ctx context.Context, cat string) (Result[fhir.Observation], error) {
		params := url.Values{"patient": {patientID}}
		if cat != "" {
			params.Set("category", cat)
		}
		if q.Code != "" {
			params.Set("code", q.Code)
		}
		addDateRange(params, q.From, q.To)
		addCount(params, q.Count)
		return search[fhir.Observation](ctx, c, OpObservationSearch, "Observation", c.searchURL("Observation", params), c.pages(q.MaxPages))
	}
	if len(cats) == 1 {
		// The chart's searches are one category each: no goroutine or copy of the results.
		return one(ctx, cats[0])
	}
	results := make([]Result[fhir.Observation], len(cats))
	g, gctx := errgroup.WithContext(ctx)
	for i, cat := range cats {
		g.Go(func() error {
			r, err := one(gctx, cat)
			if errors.Is(err, ErrForbidden) {
				r = Result[fhir.Observation]{Warnings: []Warning{{Severity: "warning", Code: "forbidden",
					Text: fmt.Sprintf("Epic did not allow Chartside to read %s observations.", cat)}}}
				err = nil
			}
			results[i] = r
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return Result[fhir.Observation]{}, err
	}
	return mergeResults(results), nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// mergeResults concatenates results in order, dropping repeated warnings.
func mergeResults[T any](rs []Result[T]) Result[T] {
	var out Result[T]
	seen := map[Warning]bool{}
	for _, r := range rs {
		out.Items = append(out.Items, r.Items...)
		out.Truncated = out.Truncated || r.Truncated
		for _, w := range r.Warnings {
			if !seen[w] {
				seen[w] = true
				out.Warnings = append(out.Warnings, w)
			}
		}
	}
	return out
}
