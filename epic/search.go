package epic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/chartside/chartside/epic/fhir"
)

// Result is the outcome of a search: the matches from every page fetched, the warnings Epic put
// in the Bundles (and one for truncation), and whether pages were left unfetched.
type Result[T any] struct {
	Items     []T
	Warnings  []Warning
	Truncated bool
}

// Warning is an OperationOutcome issue from a search (search.mode "outcome"), e.g. Epic 4101
// "no results" or 59204 "not authorized for a sub-type", or a client-side note such as
// truncation. Text can quote Epic's diagnostics: show it to the user, do not log it.
type Warning struct {
	Severity string // fatal | error | warning | information
	Code     string // Epic message number when present ("59204"), else the FHIR issue code
	Text     string
}

// WarningCodeTruncated marks the warning added when paging stopped at the page cap.
const WarningCodeTruncated = "truncated"

// codeSessionExpired is Epic's "Session ID for cached search results has expired" (EPIC.md §5).
const codeSessionExpired = "4113"

// search fetches a searchset and follows next links verbatim up to maxPages. When Epic has dropped
// the cached results between two pages (4113), the search is run again from the first page, once:
// that is Epic's advice, and a partial list must never pass for the whole record.
func search[T any](ctx context.Context, c *Client, op, resourceType, first string, maxPages int) (Result[T], error) {
	res, err := searchPages[T](ctx, c, op, resourceType, first, maxPages)
	if err != nil && pagingSessionExpired(err) {
		c.cfg.Logger.InfoContext(ctx, "epic: paging session expired; searching again", "op", op)
		return searchPages[T](ctx, c, op, resourceType, first, maxPages)
	}
	return res, err
}

// pagingSessionExpired reports Epic's 4113 on a next link.
func pagingSessionExpired(err error) bool {
	var fe *FHIRError
	if !errors.As(err, &fe) || fe.Status != http.StatusBadRequest {
		return false
	}
	for _, is := range fe.Issues {
		if is.EpicCode() == codeSessionExpired {
			return true
		}
	}
	return false
}

func searchPages[T any](ctx context.Context, c *Client, op, resourceType, first string, maxPages int) (Result[T], error) {
	var res Result[T]
	seen := map[Warning]bool{}
	next := first
	for page := 1; next != ""; page++ {
		b := fhir.SearchPage[T]{ResourceType: resourceType}
		if err := c.getFHIR(ctx, op, resourceType, next, "Bundle", &b); err != nil {
			return Result[T]{}, err
		}
		if res.Items == nil {
			res.Items = b.Items // the first page (usually the only one): no copy
		} else {
			res.Items = append(res.Items, b.Items...)
		}
		for _, oo := range b.Outcomes {
			for _, is := range oo.Issue {
				w := Warning{Severity: is.Severity, Code: is.EpicCode(), Text: is.Text()}
				if w.Code == "" {
					w.Code = is.Code
				}
				if !seen[w] {
					seen[w] = true
					res.Warnings = append(res.Warnings, w)
				}
			}
		}
		link := b.LinkURL("next")
		if link == "" || link == next {
			break
		}
		var err error
		if next, err = c.pageURL(link); err != nil {
			return Result[T]{}, &FHIRError{Status: 200, Op: op, kind: ErrBadResponse, detail: err.Error()}
		}
		if page >= maxPages {
			res.Truncated = true
			res.Warnings = append(res.Warnings, Warning{Severity: "warning", Code: WarningCodeTruncated,
				Text: fmt.Sprintf("Epic has more results than the %d pages fetched; narrow the date range to see the rest.", maxPages)})
			break
		}
	}
	return res, nil
}

// pageURL checks a next link before the bearer token is sent to it: it must stay under the
// configured FHIR base (same scheme and host), so a bad or hostile Bundle cannot collect our
// token. Relative links are resolved against the base; otherwise the link is used verbatim,
// because Epic's session parameters must not be re-encoded.
func (c *Client) pageURL(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("next link is not a URL")
	}
	if !u.IsAbs() {
		return c.base.ResolveReference(u).String(), nil
	}
	if !strings.EqualFold(u.Scheme, c.base.Scheme) || !strings.EqualFold(u.Host, c.base.Host) ||
		!strings.HasPrefix(u.Path, strings.TrimSuffix(c.base.Path, "/")+"/") {
		return "", fmt.Errorf("next link points outside the FHIR base URL")
	}
	return link, nil
}

// searchURL builds {base}/{resourceType}?{params}; url.Values does the encoding.
func (c *Client) searchURL(resourceType string, params url.Values) string {
	return c.cfg.FHIRBaseURL + "/" + resourceType + "?" + params.Encode()
}

// pages returns the page cap for a query (its own, else the configured one).
func (c *Client) pages(q int) int {
	if q > 0 {
		return q
	}
	return c.cfg.MaxPages
}
