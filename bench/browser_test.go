package bench

import (
	"reflect"
	"testing"
)

// TestSectionSlots: the load generator requests exactly what htmx requests on page load — elements
// with hx-get and hx-trigger="load" — with the attribute values unescaped as a browser reads them.
func TestSectionSlots(t *testing.T) {
	page := []byte(`<!doctype html><html><body>
		<div id="section-vitals" hx-get="/chart/h1/vitals?range=1y&amp;x=1" hx-trigger="load" hx-swap="outerHTML"></div>
		<section hx-trigger="load" id="section-labs" hx-get='/chart/h1/labs'><p>Loading…</p></section>
		<button hx-get="/chart/h1/encounters?before=2025-01-01" hx-trigger="click" id="more">Load earlier</button>
		<div hx-trigger="load" id="no-get"></div>
		<img hx-get="/chart/h1/social" hx-trigger="load" id="section-social"/>
		<script>var s = '<div hx-get="/not-a-tag" hx-trigger="load">';</script>
	</body></html>`)
	got, err := sectionSlots(page)
	if err != nil {
		t.Fatal(err)
	}
	want := []slot{
		{url: "/chart/h1/vitals?range=1y&x=1", target: "section-vitals"},
		{url: "/chart/h1/labs", target: "section-labs"},
		{url: "/chart/h1/social", target: "section-social"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("slots %+v, want %+v", got, want)
	}
}
