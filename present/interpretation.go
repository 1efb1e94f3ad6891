package present

import (
	"slices"
	"strings"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// Code systems whose interpretation codes Chartside knows. Epic and others also send bare text;
// a text that is exactly one of the codes is read the same way.
const (
	systemV3Interpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	systemV2Interpretation = "http://terminology.hl7.org/CodeSystem/v2-0078"
	systemV2Legacy         = "http://hl7.org/fhir/v2/0078"
)

// Icons for flags. Critical has its own icon so it differs from high/low by shape as well as words.
const (
	iconHigh     = "▲"
	iconLow      = "▼"
	iconCritical = "‼"
	iconAbnormal = "◆"
	iconUnknown  = "?"
)

// knownFlag maps a known interpretation code to its flag.
func knownFlag(code string) (views.Flag, bool) {
	switch code {
	case "N":
		return views.Flag{Text: "Normal", Level: views.FlagNormal}, true
	case "H":
		return views.Flag{Text: "High", Level: views.FlagHigh, Icon: iconHigh}, true
	case "L":
		return views.Flag{Text: "Low", Level: views.FlagLow, Icon: iconLow}, true
	case "HH":
		return views.Flag{Text: "Critical high", Level: views.FlagCritical, Icon: iconCritical}, true
	case "LL":
		return views.Flag{Text: "Critical low", Level: views.FlagCritical, Icon: iconCritical}, true
	case "AA":
		return views.Flag{Text: "Critical abnormal", Level: views.FlagCritical, Icon: iconCritical}, true
	case "A":
		return views.Flag{Text: "Abnormal", Level: views.FlagAbnormal, Icon: iconAbnormal}, true
	}
	return views.Flag{}, false
}

// Short marker for chart points and matrix cells ("H", "LL"...).
func marker(f views.Flag) string {
	switch f.Text {
	case "High":
		return "H"
	case "Low":
		return "L"
	case "Critical high":
		return "HH"
	case "Critical low":
		return "LL"
	case "Critical abnormal":
		return "AA"
	case "Abnormal":
		return "A"
	}
	if f.Level == views.FlagUnknown {
		return "?"
	}
	return ""
}

// severity orders flags so the most serious of several interpretations wins.
func severity(l views.FlagLevel) int {
	switch l {
	case views.FlagCritical:
		return 5
	case views.FlagUnknown:
		return 4 // an unknown code may be serious: it must never be hidden behind "normal"
	case views.FlagHigh, views.FlagLow:
		return 3
	case views.FlagAbnormal:
		return 2
	case views.FlagNormal:
		return 1
	}
	return 0
}

// Interpretation turns Epic's interpretation into a flag. Known codes (H/L/HH/LL/A/AA/N, in the v3
// or v2 systems or as bare text) become words and an icon; anything else — including Epic's
// [{text:"(NONE)"}] — is shown as given with the unknown style, never as normal. With several
// interpretations the most serious leads and the others follow it (Flag.Also): none is dropped.
func Interpretation(cs []fhir.CodeableConcept) views.Flag {
	switch len(cs) {
	case 0:
		return views.Flag{}
	case 1:
		return interpretationOne(cs[0])
	}
	var all []views.Flag
	for _, c := range cs {
		all = append(all, interpretationOne(c))
	}
	return mergeFlags(all...)
}

// mergeFlags combines flags (of one result's interpretations, of a result and its components, of
// the results in one matrix cell) into one: the most serious leads, the other distinct ones follow
// it in Also, most serious first. A flag Chartside does not know outranks high and low, so it is
// never hidden, and it no longer hides them either.
func mergeFlags(fs ...views.Flag) views.Flag {
	// Nearly every result has one interpretation or none: that flag as it is, without the merge's
	// allocations (thousands of rows in a long history).
	var only views.Flag
	n := 0
	for _, f := range fs {
		if f.Level != views.FlagNone {
			only = f
			n++
		}
	}
	if n == 0 {
		return views.Flag{}
	}
	if n == 1 && len(only.Also) == 0 {
		return only
	}
	var all []views.Flag
	type key struct {
		text  string
		level views.FlagLevel
	}
	seen := map[key]bool{}
	add := func(f views.Flag) {
		k := key{f.Text, f.Level}
		if f.Level == views.FlagNone || seen[k] {
			return
		}
		seen[k] = true
		all = append(all, views.Flag{Text: f.Text, Level: f.Level, Icon: f.Icon})
	}
	for _, f := range fs {
		add(f)
		for _, a := range f.Also {
			add(a)
		}
	}
	if len(all) == 0 {
		return views.Flag{}
	}
	slices.SortStableFunc(all, func(a, b views.Flag) int { return severity(b.Level) - severity(a.Level) })
	lead := all[0]
	if len(all) > 1 {
		lead.Also = all[1:]
	}
	return lead
}

// flagText is a flag and those shown with it in words: "Resistant, High".
func flagText(f views.Flag) string {
	s := f.Text
	for _, a := range f.Also {
		s += ", " + a.Text
	}
	return s
}

func interpretationOne(c fhir.CodeableConcept) views.Flag {
	for _, cd := range c.Coding {
		switch cd.System {
		case systemV3Interpretation, systemV2Interpretation, systemV2Legacy, "":
			if f, ok := knownFlag(cd.Code); ok {
				return f
			}
		}
	}
	if f, ok := knownFlag(strings.TrimSpace(c.Text)); ok && len(c.Coding) == 0 {
		return f
	}
	label := c.Label()
	if label == "" {
		return views.Flag{}
	}
	return views.Flag{Text: label, Level: views.FlagUnknown, Icon: iconUnknown}
}
