package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/go-json-experiment/json/jsontext"
)

// defaultPageSize is what the Epic sandbox used without _count (the first vitals page held 1000
// entries), and the largest _count it accepted.
const defaultPageSize = 1000

// result is a finished search: the matches in order plus the outcome issues Epic adds to the
// searchset (59204 suppressed, 4101 no results, 59100 ignored parameters).
type result struct {
	typ      string
	matches  []*record
	issues   []fhir.OperationOutcomeIssue
	pageSize int
}

// writePage answers with one page of res starting at offset. selfURL is the URL the client asked
// for. When more matches remain, a paging session is opened and its opaque next link (carrying only
// sessionID, like the Epic sandbox) is added.
func (s *Sandbox) writePage(w http.ResponseWriter, r *http.Request, res *result, offset int, selfURL string) {
	base := s.baseURL(r) + FHIRBasePath
	end := min(offset+res.pageSize, len(res.matches))
	page := res.matches[offset:end]

	total := len(page) // Epic's total is the page size, not the full count (EPIC.md §5)
	b := fhir.Bundle{ResourceType: "Bundle", Type: "searchset", Total: &total}
	b.Link = []fhir.BundleLink{{Relation: "self", URL: selfURL}}
	if end < len(res.matches) {
		id := s.pages.open(res, end, s.now(), s.opts.PageSessionLifetime)
		b.Link = append(b.Link, fhir.BundleLink{Relation: "next", URL: base + "/" + res.typ + "?sessionID=" + id})
	}
	for _, rec := range page {
		raw, err := rec.body()
		if err != nil {
			writeOutcome(w, r, http.StatusInternalServerError, issue("fatal", "exception", "", "", "encode "+rec.typ))
			return
		}
		url := base + "/" + rec.typ + "/" + rec.id
		b.Entry = append(b.Entry, fhir.BundleEntry{
			Link:     []fhir.BundleLink{{Relation: "self", URL: url}},
			FullURL:  url,
			Resource: raw,
			Search:   &fhir.BundleSearch{Mode: fhir.SearchModeMatch},
		})
	}
	issues := res.issues
	if offset > 0 {
		issues = nil // the outcome travels with the first page only
	}
	if len(res.matches) == 0 {
		issues = append(issues, noResultsIssue())
	}
	if len(issues) > 0 {
		raw, _ := json.Marshal(outcome(issues...))
		b.Entry = append(b.Entry, fhir.BundleEntry{
			FullURL:  "urn:uuid:" + newUUID(),
			Resource: raw,
			Search:   &fhir.BundleSearch{Mode: fhir.SearchModeOutcome},
		})
	}
	body, err := encodeBundle(b)
	if err != nil {
		writeOutcome(w, r, http.StatusInternalServerError, issue("fatal", "exception", "", "", "encode Bundle"))
		return
	}
	writeRaw(w, r, http.StatusOK, body)
}

// encodeBundle is json.Marshal(b), except that each entry's resource is copied as stored:
// json.Marshal re-validates and compacts every json.RawMessage, which for a page of 1000
// Observations was most of the sandbox's CPU (BENCHMARKS.md). The stored resources are the
// sandbox's own encodings or Epic's captured bytes, valid JSON either way. The entries themselves
// are written by hand too, in Epic's member order: under load, marshalling each entry's link and
// search was the sandbox's next largest cost, and the sandbox shares the benchmark machine with
// the Chartside it measures.
func encodeBundle(b fhir.Bundle) ([]byte, error) {
	entries := b.Entry
	b.Entry = nil
	head, err := json.Marshal(b)
	if err != nil || len(entries) == 0 {
		return head, err
	}
	out := make([]byte, 0, len(head)+entriesSize(entries))
	out = append(out, head[:len(head)-1]...) // without the closing brace
	out = append(out, `,"entry":[`...)
	for i, e := range entries {
		if i > 0 {
			out = append(out, ',')
		}
		if out, err = appendEntry(out, e); err != nil {
			return nil, err
		}
	}
	return append(out, "]}"...), nil
}

// appendEntry writes one entry as json.Marshal would (members omitted when empty), the resource
// copied as stored.
func appendEntry(out []byte, e fhir.BundleEntry) ([]byte, error) {
	out = append(out, '{')
	sep := func() {
		if out[len(out)-1] != '{' {
			out = append(out, ',')
		}
	}
	if len(e.Link) > 0 {
		out = append(out, `"link":[`...)
		for i, l := range e.Link {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, `{"relation":`...)
			out, _ = jsontext.AppendQuote(out, l.Relation) // invalid UTF-8 is replaced, not refused
			out = append(out, `,"url":`...)
			out, _ = jsontext.AppendQuote(out, l.URL)
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	if e.FullURL != "" {
		sep()
		out = append(out, `"fullUrl":`...)
		out, _ = jsontext.AppendQuote(out, e.FullURL)
	}
	if len(e.Resource) > 0 {
		sep()
		out = append(out, `"resource":`...)
		out = append(out, e.Resource...)
	}
	if e.Search != nil {
		sep()
		out = append(out, `"search":`...)
		if e.Search.Score == "" {
			out = append(out, '{')
			if e.Search.Mode != "" {
				out = append(out, `"mode":`...)
				out, _ = jsontext.AppendQuote(out, e.Search.Mode)
			}
			out = append(out, '}')
		} else {
			s, err := json.Marshal(e.Search)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
	}
	return append(out, '}'), nil
}

func entriesSize(entries []fhir.BundleEntry) int {
	n := 0
	for _, e := range entries {
		n += len(e.Resource) + 256
	}
	return n
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
