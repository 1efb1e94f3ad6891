package fhir

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// checkSearchPage decodes raw as the Epic client does (SearchPage) and, when the Bundle path
// (Unmarshal into Bundle, then its entries split by type) decodes it, requires the same links, resources and
// outcomes. It returns whether the Bundle path decoded raw.
func checkSearchPage[T any](t *testing.T, name string, raw []byte, resourceType string) bool {
	t.Helper()
	var b Bundle
	if err := Unmarshal(raw, &b); err != nil {
		return false
	}
	items, outcomes, err := split[T](&b, resourceType, true)
	if err != nil {
		return false
	}
	page := SearchPage[T]{ResourceType: resourceType}
	if err := Unmarshal(raw, &page); err != nil {
		t.Fatalf("%s: SearchPage[%s] failed where Bundle decoded: %v", name, resourceType, err)
	}
	if !reflect.DeepEqual(page.Link, b.Link) || page.LinkURL("next") != b.LinkURL("next") {
		t.Errorf("%s: links %v, want %v", name, page.Link, b.Link)
	}
	if !reflect.DeepEqual(page.Items, items) {
		t.Errorf("%s: %d %s decoded differently from the Bundle path's %d", name, len(page.Items), resourceType, len(items))
	}
	if !reflect.DeepEqual(page.Outcomes, outcomes) {
		t.Errorf("%s: outcomes %v, want %v", name, page.Outcomes, outcomes)
	}
	return true
}

// TestSearchPageMatchesBundlePath: on every captured Epic response and Synthea bundle, the one-pass
// SearchPage the Epic client decodes yields exactly what decoding a Bundle and then its entries yields, for each
// resource type Chartside searches.
func TestSearchPageMatchesBundlePath(t *testing.T) {
	captures, _ := filepath.Glob(filepath.Join(capturesDir, "*.json"))
	synthea, _ := filepath.Glob("../../../shared/fhir-samples/*.json")
	if len(captures) == 0 {
		t.Fatal("no captures found")
	}
	bundles := 0
	for _, f := range append(captures, synthea...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if PeekResourceType(raw) != "Bundle" {
			continue
		}
		name := filepath.Base(f)
		ok := checkSearchPage[Observation](t, name, raw, "Observation")
		ok = checkSearchPage[Encounter](t, name, raw, "Encounter") && ok
		ok = checkSearchPage[Patient](t, name, raw, "Patient") && ok
		if !ok {
			t.Errorf("%s: the Bundle path did not decode it", name)
		}
		bundles++
	}
	if bundles < 10 {
		t.Errorf("compared %d bundles, want the captures and Synthea samples (at least 10)", bundles)
	}
}

// TestSearchPageEntries: the search modes and odd entries Epic and hostile input can produce.
func TestSearchPageEntries(t *testing.T) {
	raw := []byte(`{"resourceType":"Bundle","type":"searchset","total":"not checked",
		"link":[{"relation":"next","url":"https://epic.example/next"}],
		"entry":[
			{"resource":{"resourceType":"Observation","id":"a","code":{"text":"Pulse"}},"search":{"mode":"match"}},
			null,
			{"fullUrl":"x"},
			{"resource":null},
			{"resource":{"resourceType":"Patient","id":"p"},"search":{"mode":"include"}},
			{"resource":{"resourceType":"Observation","id":"skipped"},"search":{"mode":"outcome"}},
			{"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"processing","diagnostics":"d"}]},"search":{"mode":"match"}},
			{"search":{"mode":"match"},"resource":{"resourceType":"Observation","id":"b","code":{}}},
			{"resource":{"id":"c","resourceType":"Observation","code":{}}},
			{"resource": {"issue":[{"severity":"error","code":"not-found"}],"resourceType":"OperationOutcome"}},
			{"resource":{"id":"p2","resourceType":"Patient"}}
		]}`)
	page := SearchPage[Observation]{ResourceType: "Observation"}
	if err := Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range page.Items {
		ids = append(ids, o.ID)
	}
	if !reflect.DeepEqual(ids, []string{"a", "b", "c"}) {
		t.Errorf("items %v, want [a b c]", ids)
	}
	if len(page.Outcomes) != 2 || page.LinkURL("next") != "https://epic.example/next" {
		t.Errorf("outcomes %d, next %q", len(page.Outcomes), page.LinkURL("next"))
	}

	for _, bad := range []string{
		`[]`,
		`{"entry":{}}`,
		`{"entry":[1]}`,
		`{"entry":[{"resource":{"resourceType":"Observation","code":[]}}]}`,
		`{"entry":[{"resource":{"resourceType":"Observation"},"resource":{}}]}`,
		`{"entry":[{"resource":{"resourceType":"Observation"}}`,
		`{"entry":[{"resource":{"resourceType":"Patient",}}]}`,
		`{"entry":[{"resource":{"resourceType":"OperationOutcome","issue":{}}}]}`,
		`{"entry":[{"resource":{"id":"x","resourceType":"Observation","code":[]}}]}`,
	} {
		page := SearchPage[Observation]{ResourceType: "Observation"}
		if err := Unmarshal([]byte(bad), &page); err == nil {
			t.Errorf("%s: decoded, want an error", bad)
		}
	}
}
