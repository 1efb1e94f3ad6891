package views

import (
	"strconv"
	"strings"
)

// isNotRecorded reports whether a value is the "Not recorded" placeholder (possibly with a reason).
func isNotRecorded(v string) bool { return strings.HasPrefix(v, NotRecorded) }

// valueClass is the emphasis for a value cell: abnormal and critical values are bold (the flag
// beside them carries the words and icon).
func valueClass(f Flag) string {
	switch {
	case f.Level == FlagCritical:
		return "value-critical"
	case f.Abnormal():
		return "value-abnormal"
	}
	return ""
}

// valueCellClass is the class of a table's value cell: right-aligned when the value is a number
// (so digits line up), left-aligned when it is words (a right-aligned sentence reads badly), and
// emphasised when abnormal.
func valueCellClass(r ObsRow) string {
	align := "text"
	if r.Numeric {
		align = "num"
	}
	if c := valueClass(r.Flag); c != "" {
		return align + " " + c
	}
	return align
}

// num writes an SVG coordinate; geometry is decided by package present, this only prints it.
func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// diamond is the SVG path of the marker for an abnormal point: a different shape from the normal
// circle, so abnormal points stand out without colour.
func diamond(x, y float64) string {
	const r = 6.0
	return "M" + num(x) + " " + num(y-r) + " L" + num(x+r) + " " + num(y) + " L" + num(x) + " " + num(y+r) +
		" L" + num(x-r) + " " + num(y) + " Z"
}

// hxFlag is the hx-vals JSON that adds name=1 to the htmx requests of an element and of the
// elements inside it.
func hxFlag(name string) string { return `{"` + name + `":"1"}` }

// itoa is strconv.Itoa for templates.
func itoa(n int) string { return strconv.Itoa(n) }

// rowClass marks rows whose status needs attention (entered-in-error is struck through in CSS).
func rowClass(r ObsRow) string {
	switch r.Status {
	case "entered-in-error":
		return "row-error"
	case "cancelled":
		return "row-cancelled"
	}
	return ""
}

// earlierRowClass is rowClass for an earlier value listed under its social-history item.
func earlierRowClass(r ObsRow) string {
	if c := rowClass(r); c != "" {
		return "earlier " + c
	}
	return "earlier"
}

// encounterSlotID is the id of the element an encounter's details are loaded into: the Details
// control's hx-target and aria-controls both name it.
func encounterSlotID(e EncounterRow) string { return e.DOMID + "-detail" }

// sharedMRNText is the banner's reminder that the clinician chose this patient among several
// sharing the MRN.
func sharedMRNText(n int) string {
	return "shared by " + strconv.Itoa(n) + " patients: check name and birth date"
}

// pct writes a fraction as a percentage for an SVG's width attribute: 64/720 is "8.8889%".
func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 4, 64) + "%" }
