package views

import "testing"

// TestFlagBadgeShowsEveryFlag: the interpretations that follow the lead one (Flag.Also) are shown
// as badges of their own, in words and icon, and make the value bold when one is abnormal.
func TestFlagBadgeShowsEveryFlag(t *testing.T) {
	f := Flag{Text: "Resistant", Level: FlagUnknown, Icon: "?", Also: []Flag{{Text: "High", Level: FlagHigh, Icon: "▲"}}}
	d := doc(t, FlagBadge(f))
	badges := d.Find(tid("flag"))
	if badges.Length() != 2 {
		t.Fatalf("%d badges, want 2: %q", badges.Length(), text(d.Selection))
	}
	if got := text(badges.Eq(1)); got != "▲ High" {
		t.Errorf("second badge = %q, want ▲ High", got)
	}
	if lvl, _ := badges.Eq(1).Attr("data-level"); lvl != "high" {
		t.Errorf("second badge level = %q", lvl)
	}
	if c := valueCellClass(ObsRow{Numeric: true, Flag: f}); c != "num value-abnormal" {
		t.Errorf("value cell class = %q, want the High to make it bold", c)
	}
}
