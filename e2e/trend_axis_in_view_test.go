package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// On a phone the trend chart scrolls sideways in its box and opens at its newest end
// (TestBrowserTrendChartOpensAtNewest), and its value axis and legend, drawn inside it, scrolled
// out of view with it: at 390 px 400009's potassium showed dates and her 6.8 HH but no "mmol/L" and
// no values (the reference band had no numbers), and the blood pressures' legend read
// "…iastolic blood pressure", the solid line unnamed; at 600 px the box opened 39 px in, clipping
// the axis (fresh-eyes review). The legend is now HTML above the box and the value axis stays at
// the box's left edge, so both are in view at every width, wherever the chart is scrolled.

// axisInView lists what of the trend chart's value axis a reader cannot see in the box's visible
// area: for the unit and every value the drawing labels (its own texts, the source of truth), some
// text in the box that reads the same must lie inside the box's visible area and be the topmost
// thing at its centre (not under another layer). With "coincide", each text of the axis layered over
// the drawing must also lie exactly on the drawing's own (at the drawing's left end nothing is to
// look doubled). The box is brought into the window first, as hit-testing needs.
const axisInView = `(function (coincide) {
	var box = document.querySelector('[data-testid="trend-scroll"]');
	var svg = box.querySelector('[data-testid="trend-svg"]');
	var b = box.getBoundingClientRect();
	if (b.top < 0 || b.bottom > window.innerHeight) { box.scrollIntoView({block: 'center'}); b = box.getBoundingClientRect(); }
	var left = b.left + box.clientLeft, right = left + box.clientWidth;
	var own = [svg.querySelector('[data-testid="chart-yunit"]')].concat(Array.prototype.slice.call(svg.querySelectorAll('[data-testid="chart-ytick"] text')));
	var texts = Array.prototype.slice.call(box.querySelectorAll('text'));
	var problems = [];
	own.forEach(function (o) {
		var s = o.textContent.trim();
		var seen = texts.some(function (t) {
			if (t.textContent.trim() !== s) return false;
			var r = t.getBoundingClientRect();
			if (r.width === 0 || r.left < left - 0.5 || r.right > right + 0.5) return false;
			var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			return hit === t || (hit && t.contains(hit));
		});
		if (!seen) problems.push('"' + s + '" is not in view');
	});
	if (coincide) {
		var copy = Array.prototype.slice.call(box.querySelectorAll('[data-testid="chart-axis"] text'));
		if (copy.length !== own.length) problems.push('the axis over the drawing has ' + copy.length + ' labels, the drawing ' + own.length);
		copy.forEach(function (c, i) {
			var r = c.getBoundingClientRect(), o = own[i] && own[i].getBoundingClientRect();
			if (!o || Math.abs(r.left - o.left) > 0.5 || Math.abs(r.top - o.top) > 0.5 || Math.abs(r.width - o.width) > 0.5 || c.textContent !== own[i].textContent) {
				problems.push('"' + c.textContent.trim() + '" over the drawing does not lie on the drawing\'s own label');
			}
		});
	}
	return problems;
})`

// legendInView reads the trend chart's legend: each entry's name, whether its name and line sample
// are inside the window and the section (not cut off), the sample's dash pattern as drawn, and
// whether the legend lies on the drawing's points or lines.
const legendInView = `(function () {
	var fig = document.querySelector('[data-testid="trend-chart"]');
	var f = fig.getBoundingClientRect();
	var data = Array.prototype.map.call(fig.querySelectorAll('[data-testid="chart-point"], [data-testid="chart-line"]'), function (el) { return el.getBoundingClientRect(); });
	var over = function (a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; };
	return Array.prototype.map.call(fig.querySelectorAll('[data-testid="chart-legend"]'), function (e) {
		var r = e.getBoundingClientRect();
		var line = e.querySelector('[data-testid="legend-sample"]');
		var l = line ? line.getBoundingClientRect() : {width: 0, left: 0, right: 0};
		var inside = r.left >= Math.max(0, f.left) - 0.5 && r.right <= Math.min(window.innerWidth, f.right) + 0.5 && l.width > 0;
		return {
			name: e.textContent.trim(), inside: inside && e.scrollWidth <= e.clientWidth + 1,
			dash: line ? getComputedStyle(line).strokeDasharray : 'no sample',
			onData: data.some(function (d) { return over(r, d); })
		};
	});
})()`

type legendEntry struct {
	Name   string `json:"name"`
	Inside bool   `json:"inside"`
	Dash   string `json:"dash"`
	OnData bool   `json:"onData"`
}

func TestBrowserTrendChartAxisAndLegendInView(t *testing.T) {
	base, ctx := startChartside(t)
	axeJS := readAxe(t, repoRoot(t))
	shots := os.Getenv("E2E_SHOTS")

	settled := chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="analyte"] [data-testid="trend-svg"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.htmx-request, .htmx-settling, .htmx-added`)),
	)
	// axisSeen polls until the value axis is in view (the box moves to its newest end as the chart
	// arrives), and reports what is not.
	axisSeen := func(what string, coincide bool) {
		t.Helper()
		var problems []string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			var err error
			problems, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf("%s(%v)", axisInView, coincide)))
			must(t, "read the value axis: "+what, err)
			if len(problems) == 0 {
				return
			}
		}
		for _, p := range problems {
			t.Errorf("%s: %s", what, p)
		}
	}
	scrollTo := func(where string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () { var box = document.querySelector('[data-testid="trend-scroll"]'); box.scrollLeft = `+where+`; return true; })()`))
		must(t, "scroll the chart", err)
		time.Sleep(100 * time.Millisecond)
	}
	shot := func(name string) {
		// (E2E_SHOTS=dir keeps a picture of the chart, to look at.)
		if shots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.ScreenshotScale(chromedp.CSS(`[data-testid="analyte"] [data-testid="trend-chart"]`), 2))
		must(t, "screenshot "+name, err)
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Errorf("save screenshot %s: %v", name, err)
		}
	}

	must(t, "sign in", chromedp.Do(ctx, signInAs(base, demoUser, demoPass)))
	potassium := func(w, h int64) {
		must(t, fmt.Sprintf("open %s's potassium history at %d px", valuesMRN, w), chromedp.Do(ctx,
			chromedp.EmulateViewport(w, h),
			lookUp(base, valuesMRN),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="labs-table"]`)),
			pressLink(`[data-testid="labs-table"] th a`, "Potassium"),
			settled,
		))
	}

	// 390 px: the box opens at the newest end with the HH in view, and the unit and every value
	// are in view then, and at either end.
	potassium(390, 844)
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && got != "inside|HH|left|scrolled"; time.Sleep(50 * time.Millisecond) {
		var err error
		got, err = chromedp.Run(ctx, chromedp.Evaluate[string](newestPoint))
		must(t, "find the chart's newest point", err)
	}
	if got != "inside|HH|left|scrolled" {
		t.Errorf("at 390 px the potassium chart's newest point and box are %q, want the HH in view, scrolled to it", got)
	}
	axisSeen("potassium at 390 px, as it opens", false)
	shot("axis-390-open.png")
	scrollTo("0")
	axisSeen("potassium at 390 px, at its oldest end", true)
	shot("axis-390-oldest.png")
	scrollTo("box.scrollWidth")
	axisSeen("potassium at 390 px, at its newest end", false)
	checkAxe(t, ctx, axeJS, valuesMRN+"'s potassium history at 390 px")

	// 600 px: the box opened 39 px in, clipping the axis.
	potassium(600, 900)
	axisSeen("potassium at 600 px, as it opens", false)
	shot("axis-600-open.png")

	// Blood pressure: both series named, told apart by a solid and a dashed sample, in view as the
	// chart opens (and its axis too).
	bp := func(mrn string, w, h int64) {
		t.Helper()
		what := fmt.Sprintf("%s's blood pressure at %d px", mrn, w)
		must(t, "open "+what, chromedp.Do(ctx,
			chromedp.EmulateViewport(w, h),
			lookUp(base, mrn),
			chromedp.Click(chromedp.CSS(`[data-testid="vital-tile"] [data-testid="analyte-link"]`)),
			settled,
		))
		axisSeen(what+", as it opens", w >= 1280)
		legend, err := chromedp.Run(ctx, chromedp.Evaluate[[]legendEntry](legendInView))
		must(t, "read the legend of "+what, err)
		shot(fmt.Sprintf("legend-%s-%d.png", mrn, w))
		var names []string
		dashes := map[string]bool{}
		for _, e := range legend {
			names = append(names, e.Name)
			dashes[e.Dash] = true
			if !e.Inside {
				t.Errorf("%s: the legend entry %q is cut off", what, e.Name)
			}
			if e.OnData {
				t.Errorf("%s: the legend entry %q lies on the data", what, e.Name)
			}
		}
		if len(legend) != 2 || !strings.HasPrefix(names[0], "Systolic") || !strings.HasPrefix(names[1], "Diastolic") || !dashes["none"] || len(dashes) != 2 {
			t.Errorf("%s: the legend is %+v; want systolic and diastolic, one solid and one dashed", what, legend)
		}
	}
	bp("400011", 390, 844)
	bp("400003", 390, 844)
	checkAxe(t, ctx, axeJS, "400003's blood pressure history at 390 px")
	bp("400011", 600, 900)
	bp("400011", 1280, 900)
}
