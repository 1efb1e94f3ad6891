package views

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.html")

func renderHTML(t *testing.T, c templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	return buf.String()
}

func doc(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(renderHTML(t, c)))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return d
}

func tid(id string) string { return `[data-testid="` + id + `"]` }

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// cellUnder is row's cell in the column headed header (table's thead): tests find a cell the way a
// screen reader announces it, by its column header, so the rows need no per-cell test ids.
func cellUnder(table, row *goquery.Selection, header string) *goquery.Selection {
	col := -1
	table.Find("thead th").EachWithBreak(func(i int, s *goquery.Selection) bool {
		if text(s) == header {
			col = i
			return false
		}
		return true
	})
	return row.Children().Eq(col)
}

// checkStrictCSP fails on anything a strict Content-Security-Policy would block.
func checkStrictCSP(t *testing.T, d *goquery.Document) {
	t.Helper()
	if n := d.Find("[style]").Length(); n > 0 {
		t.Errorf("%d elements with inline style=", n)
	}
	d.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok {
			t.Errorf("inline script: %q", s.Text())
		}
	})
	d.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("inline event handler %s on <%s>", a.Key, s.Nodes[0].Data)
			}
		}
	})
}

// golden compares html with testdata/name.golden.html (go test ./views -update rewrites it).
func golden(t *testing.T, name, html string) {
	t.Helper()
	// One tag per line, so a golden diff points at the element that changed.
	html = strings.ReplaceAll(html, "><", ">\n<")
	path := filepath.Join("testdata", name+".golden.html")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./views -update to create it): %v", err)
	}
	if string(want) != html {
		t.Errorf("%s differs from %s; run go test ./views -update and review the diff\n got: %s", name, path, html)
	}
}
