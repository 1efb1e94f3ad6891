package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// On a 390 px phone an analyte's trend chart (a 720x260 viewBox with 11-unit labels) was scaled to
// the window, about 351 px wide, and its labels to about 5 px: unreadable. It now keeps a minimum
// width and scrolls sideways inside its own box, focusable and named, marked by the scroll cue like
// the tables (it opens at its newest end: TestBrowserTrendChartOpensAtNewest), while the page itself
// does not scroll sideways; on paper it is drawn whole.

// trendChartLayout measures the trend chart: the height of its first tick label, the page's
// sideways overflow, the box's role, name, tab index, overflow beyond its edge and scroll cue, and
// whether the drawing fits inside the box.
const trendChartLayout = `(function () {
	var svg = document.querySelector('[data-testid="trend-svg"]');
	var label = svg.querySelector('[data-testid="chart-ytick"] text, [data-testid="chart-xtick"] text');
	var box = svg.closest('[role="region"]');
	if (!box) return {label: label.getBoundingClientRect().height, over: document.documentElement.scrollWidth - window.innerWidth, role: 'none'};
	var b = box.getBoundingClientRect(), s = svg.getBoundingClientRect();
	return {
		label: label.getBoundingClientRect().height,
		over: document.documentElement.scrollWidth - window.innerWidth,
		role: box.getAttribute('role'),
		name: box.getAttribute('aria-label') || '',
		tabIndex: box.tabIndex,
		hidden: box.scrollWidth - box.clientWidth,
		cue: box.getAttribute('data-scroll-more') || 'none',
		fits: s.left >= b.left - 0.5 && s.right <= b.right + 0.5
	};
})()`

// trendAxes reads the trend chart's value axis: its unit label, its tick labels, the unit label's
// height on screen, and every pair of texts that overlap where one of them is an axis or legend
// label (the unit, a value, a time), or such a label outside the drawing (boxes are the font's,
// getBBox, so text that only touches counts), and a legend entry (HTML, above the drawing) with a
// point or line under it.
const trendAxes = `(function () {
	var svg = document.querySelector('[data-testid="trend-svg"]');
	var unit = svg.querySelector('[data-testid="chart-yunit"]');
	var vb = svg.viewBox.baseVal;
	var texts = Array.prototype.map.call(svg.querySelectorAll('text'), function (el) {
		var b = el.getBBox();
		var axis = !!el.closest('[data-testid="chart-ytick"], [data-testid="chart-xtick"]') || el === unit;
		return {el: el, b: b, axis: axis, s: el.textContent.trim()};
	});
	var problems = [];
	texts.forEach(function (a, i) {
		if (a.axis && (a.b.x < vb.x || a.b.y < vb.y || a.b.x + a.b.width > vb.x + vb.width || a.b.y + a.b.height > vb.y + vb.height)) {
			problems.push(a.s + ' outside the drawing');
		}
		texts.slice(i + 1).forEach(function (b) {
			if (!(a.axis || b.axis)) return;
			if (a.b.x < b.b.x + b.b.width && b.b.x < a.b.x + a.b.width && a.b.y < b.b.y + b.b.height && b.b.y < a.b.y + a.b.height) {
				problems.push(a.s + ' overlaps ' + b.s);
			}
		});
	});
	// The legend (HTML above the drawing) is off the data: no point or line runs under an entry.
	var fig = svg.closest('[data-testid="trend-chart"]');
	var data = Array.prototype.map.call(svg.querySelectorAll('[data-testid="chart-point"], [data-testid="chart-line"]'), function (el) { return el.getBoundingClientRect(); });
	Array.prototype.forEach.call(fig.querySelectorAll('[data-testid="chart-legend"]'), function (g) {
		var a = g.getBoundingClientRect();
		if (data.some(function (b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; })) {
			problems.push('legend ' + g.textContent.trim() + ' lies on the data');
		}
	});
	return {
		legend: fig.querySelectorAll('[data-testid="chart-legend"]').length,
		unit: unit ? unit.textContent.trim() : '',
		unitPx: unit ? unit.getBoundingClientRect().height : 0,
		ticks: Array.prototype.map.call(svg.querySelectorAll('[data-testid="chart-ytick"] text'), function (t) { return t.textContent.trim(); }),
		problems: problems
	};
})()`

type trendAxesState struct {
	Legend   int      `json:"legend"`
	Unit     string   `json:"unit"`
	UnitPx   float64  `json:"unitPx"`
	Ticks    []string `json:"ticks"`
	Problems []string `json:"problems"`
}

type trendLayout struct {
	Label    float64 `json:"label"`
	Over     int     `json:"over"`
	Role     string  `json:"role"`
	Name     string  `json:"name"`
	TabIndex int     `json:"tabIndex"`
	Hidden   int     `json:"hidden"`
	Cue      string  `json:"cue"`
	Fits     bool    `json:"fits"`
}

func TestBrowserTrendChartOnPhone(t *testing.T) {
	base, ctx := startChartside(t)

	must(t, "sign in on a 390x844 phone and open "+e2eMRN+"'s first vital's trend", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		openChartAs(base, demoUser, demoPass, e2eMRN),
		chromedp.Click(chromedp.CSS(`[data-testid="vital-tile"] [data-testid="analyte-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="analyte"] [data-testid="trend-svg"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[aria-busy="true"]`)),
	))

	// The scroll cue follows resize events: poll until it has settled. The box opens at the
	// chart's newest end (right), so what it hides is to the left.
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(function () {
		var box = document.querySelector('[data-testid="trend-svg"]').closest('[role="region"]');
		return !box || box.getAttribute('data-scroll-more') === 'left';
	})()`, chromedp.WithPollingTimeout(5*time.Second)))
	must(t, "wait for the chart's scroll cue", err)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[trendLayout](trendChartLayout))
	must(t, "measure the trend chart at 390 px", err)
	if got.Label < 9 {
		t.Errorf("at 390 px the chart's tick labels are %.1f px tall, want at least 9", got.Label)
	}
	if got.Over > 0 {
		t.Errorf("at 390 px the page is %d px wider than the window: it scrolls sideways", got.Over)
	}
	if got.Role != "region" || strings.TrimSpace(got.Name) == "" || got.TabIndex != 0 {
		t.Errorf("the chart's scroller: role %q, name %q, tabIndex %d; want a named region in the tab order", got.Role, got.Name, got.TabIndex)
	}
	if got.Hidden <= 0 || got.Cue != "left" {
		t.Errorf("at 390 px the chart's box hides %d px and its scroll cue is %q; want the older results to the left, marked", got.Hidden, got.Cue)
	}
	// The value axis names its unit as sent, as readable as the other labels, and no axis label
	// runs into another (the top value under the unit, the lowest value over the first date).
	axes, err := chromedp.Run(ctx, chromedp.Evaluate[trendAxesState](trendAxes))
	must(t, "read the trend chart's value axis at 390 px", err)
	if axes.Unit == "" || axes.UnitPx < 9 {
		t.Errorf("at 390 px the value axis's unit is %q, %.1f px tall; want the unit, at least 9 px", axes.Unit, axes.UnitPx)
	}
	if len(axes.Ticks) < 4 {
		t.Errorf("the value axis is labelled %q; want at least 4 values", axes.Ticks)
	}
	if axes.Legend < 2 {
		t.Errorf("the chart has %d legend entries; want the blood pressure's systolic and diastolic, whose legend must stay off the data", axes.Legend)
	}
	for _, p := range axes.Problems {
		t.Errorf("trend chart at 390 px: %s", p)
	}

	// On paper the chart is drawn whole, with no shade over it.
	must(t, "render for print", chromedp.Do(ctx, setMedia("print")))
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[trendLayout](trendChartLayout))
	must(t, "measure the printed trend chart", err)
	shade, err := chromedp.Run(ctx, chromedp.Evaluate[string](scrollCue+`('[data-testid="trend-scroll"]')`))
	must(t, "read the printed chart's scroll cue", err)
	must(t, "render for the screen again", chromedp.Do(ctx, setMedia("")))
	// (The page's width is not checked here: in print the tables are laid out whole too.)
	if printed.Hidden > 0 || !printed.Fits {
		t.Errorf("in print the chart's box hides %d px (drawing inside it: %v): the chart is not printed whole", printed.Hidden, printed.Fits)
	}
	if strings.Contains(shade, "|drawn|") {
		t.Errorf("in print the chart's scroll cue is %q: its shade is drawn on paper", shade)
	}
}
