package present

import (
	"strings"
	"time"
	"unicode"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// LOINC codes of the blood-pressure components.
const (
	loincSystolic  = "8480-6"
	loincDiastolic = "8462-4"
)

// Quantity returns the value text (comparator + the digits exactly as sent) and the unit as sent
// (unit, else code). "7.20" stays "7.20"; "<" 5 becomes "<5".
func Quantity(q *fhir.Quantity) (value, unit string) {
	if q == nil {
		return "", ""
	}
	value = q.Comparator + q.Value.String()
	unit = q.Unit
	if unit == "" {
		unit = q.Code
	}
	return value, unit
}

// quantityText is a quantity with its unit in one string ("5 mg").
func quantityText(q *fhir.Quantity) string {
	v, u := Quantity(q)
	if u == "" {
		return v
	}
	if v == "" {
		return u
	}
	return v + " " + u
}

// Value returns an observation value (or component value) as display text and unit. Every value[x]
// form renders; the unit is separate only for quantities, so tables can give it its own column.
// A value[x] that holds nothing to show (an empty Range, a blank string) is "Not recorded", never
// an empty cell that reads as a result.
func Value(v fhir.ObservationValue, loc *time.Location) (value, unit string) {
	value, unit = valueAsSent(v, loc)
	if strings.TrimSpace(value) == "" {
		return views.NotRecorded, ""
	}
	return value, unit
}

func valueAsSent(v fhir.ObservationValue, loc *time.Location) (value, unit string) {
	switch v.Kind() {
	case fhir.ValueKindQuantity:
		if v.ValueQuantity.Value == "" {
			return views.NotRecorded, "" // a unit without a number: nothing was measured
		}
		return Quantity(v.ValueQuantity)
	case fhir.ValueKindCodeableConcept:
		return orNotRecorded(v.ValueCodeableConcept.Label()), ""
	case fhir.ValueKindString:
		return v.ValueString, ""
	case fhir.ValueKindBoolean:
		if *v.ValueBoolean {
			return "Yes", ""
		}
		return "No", ""
	case fhir.ValueKindInteger:
		return itoa(*v.ValueInteger), ""
	case fhir.ValueKindRange:
		return rangeText(v.ValueRange.Low, v.ValueRange.High), ""
	case fhir.ValueKindRatio:
		n, d := quantityText(v.ValueRatio.Numerator), quantityText(v.ValueRatio.Denominator)
		if n == "" && d == "" {
			return "", ""
		}
		return orNotSent(n) + " : " + orNotSent(d), ""
	case fhir.ValueKindSampledData:
		return "Sampled data (not shown)", ""
	case fhir.ValueKindTime:
		return v.ValueTime, ""
	case fhir.ValueKindDateTime:
		return DateTime(v.ValueDateTime, loc), ""
	case fhir.ValueKindPeriod:
		return Period(v.ValuePeriod, loc), ""
	}
	return "", ""
}

// orNotSent is one side of a ratio, or "not sent" when Epic left it out (" : 5 mL" read as a
// typo, not as a missing numerator).
func orNotSent(s string) string {
	if s == "" {
		return "not sent"
	}
	return s
}

// absent is "Not recorded" with Epic's reason when it gave one.
func absent(reason *fhir.CodeableConcept) string {
	if reason != nil {
		if r := reason.Label(); r != "" {
			return views.NotRecorded + ": " + r
		}
	}
	return views.NotRecorded
}

// ObservationValue is an observation's value and unit as shown: blood pressure as one
// "systolic/diastolic" value from its components, other component-only observations as their
// components joined, the data-absent reason when there is no value, else "Not recorded".
func ObservationValue(o fhir.Observation, loc *time.Location) (value, unit string) {
	if o.Kind() != fhir.ValueKindNone {
		return Value(o.ObservationValue, loc)
	}
	if o.DataAbsentReason != nil {
		return absent(o.DataAbsentReason), ""
	}
	if v, u, ok := bloodPressure(o, loc); ok {
		return v, u
	}
	if len(o.Component) > 0 {
		return ComponentsText(o.Component, loc), ""
	}
	return views.NotRecorded, ""
}

// ComponentsText writes components as "Label: value unit; ..." (e.g. a smoking history's type
// and pack-years), each with its own interpretation when Epic sent one ("Protein: 3+ (Abnormal)"),
// so the row's flag says which component it belongs to.
func ComponentsText(cs []fhir.ObservationComponent, loc *time.Location) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		v, u := componentValue(c, loc)
		if u != "" {
			v += " " + u
		}
		if f := Interpretation(c.Interpretation); f.Level != views.FlagNone {
			v += " (" + flagText(f) + ")"
		}
		parts = append(parts, orNotRecorded(c.Code.Label())+": "+v)
	}
	return strings.Join(parts, "; ")
}

// ObservationDetail is what the value does not already show: the components of an observation
// that also has its own value (Epic's smoking history: "Former" plus type, pack-years, packs/day)
// or a data-absent reason in its place, and the components of a blood pressure other than the
// systolic and diastolic its value is made of (a mean arterial pressure, a position), so none is
// silently dropped. "" otherwise.
func ObservationDetail(o fhir.Observation, loc *time.Location) string {
	if len(o.Component) == 0 {
		return ""
	}
	if o.Kind() == fhir.ValueKindNone && o.DataAbsentReason == nil {
		if _, _, ok := bloodPressure(o, loc); ok {
			return ComponentsText(besideBloodPressure(o.Component), loc)
		}
		return "" // the components are the value (ObservationValue)
	}
	return ComponentsText(o.Component, loc)
}

// besideBloodPressure is the components other than the systolic and diastolic that bloodPressure
// shows as the value (the first of each, as ComponentFor picks them).
func besideBloodPressure(cs []fhir.ObservationComponent) []fhir.ObservationComponent {
	var out []fhir.ObservationComponent
	sys, dia := false, false
	for _, c := range cs {
		switch {
		case !sys && c.Code.HasCode("", loincSystolic):
			sys = true
		case !dia && c.Code.HasCode("", loincDiastolic):
			dia = true
		default:
			out = append(out, c)
		}
	}
	return out
}

// ObservationRange is every reference range of an observation: its own (ReferenceRange), then each
// component's, named by the component ("Systolic: ≤ 120 mm[Hg]"). Epic puts a blood pressure's or a
// panel's ranges on its components; those are never silently dropped.
func ObservationRange(o fhir.Observation) string {
	if len(o.Component) == 0 {
		return ReferenceRange(o.ReferenceRange)
	}
	var parts []string
	if r := ReferenceRange(o.ReferenceRange); r != "" {
		parts = append(parts, r)
	}
	for _, c := range o.Component {
		if r := ReferenceRange(c.ReferenceRange); r != "" {
			parts = append(parts, orNotRecorded(c.Code.Label())+": "+r)
		}
	}
	return strings.Join(parts, "; ")
}

func componentValue(c fhir.ObservationComponent, loc *time.Location) (string, string) {
	if c.Kind() != fhir.ValueKindNone {
		return Value(c.ObservationValue, loc)
	}
	return absent(c.DataAbsentReason), ""
}

// bloodPressure joins the systolic and diastolic components. When their units differ (never seen,
// but not ours to reconcile) each keeps its own unit inside the value.
func bloodPressure(o fhir.Observation, loc *time.Location) (value, unit string, ok bool) {
	sys, okS := o.ComponentFor(loincSystolic)
	dia, okD := o.ComponentFor(loincDiastolic)
	if !okS && !okD {
		return "", "", false
	}
	sv, su := "?", ""
	if okS {
		sv, su = componentValue(sys, loc)
	}
	dv, du := "?", ""
	if okD {
		dv, du = componentValue(dia, loc)
	}
	if isAbsent(sv) && isAbsent(dv) {
		return sv, "", true
	}
	if isAbsent(sv) || !okS {
		sv = "(systolic not recorded)"
	}
	if isAbsent(dv) || !okD {
		dv = "(diastolic not recorded)"
	}
	switch {
	case su == du || su == "" || du == "":
		u := su
		if u == "" {
			u = du
		}
		return sv + "/" + dv, u, true
	default:
		return sv + " " + su + "/" + dv + " " + du, "", true
	}
}

func isAbsent(v string) bool { return strings.HasPrefix(v, views.NotRecorded) }

// ReferenceRange is every range Epic sent, joined with "; ". Each is Epic's text when it gave one —
// the lab's own wording: its low and high are JSON numbers that drop the lab's precision ("5.20"
// arrives as 5.2), and "≤" built from a high would misstate a "<0.01" — else "low–high unit",
// "≥ low unit" or "≤ high unit". A range says whom it applies to (type other than normal, appliesTo,
// age) when Epic did, so a second range is never silently dropped or read as the patient's.
func ReferenceRange(rr []fhir.ObservationReferenceRange) string {
	parts := make([]string, 0, len(rr))
	for _, r := range rr {
		s := strings.TrimSpace(r.Text)
		if s == "" {
			s = rangeText(r.Low, r.High)
		}
		if s == "" {
			continue
		}
		if q := rangeQualifier(r); q != "" {
			s = q + ": " + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// rangeQualifier says whom a reference range is for: "Female", "Therapeutic Desired Level, age 18–65 a".
// The default meaning ("normal") goes without saying.
func rangeQualifier(r fhir.ObservationReferenceRange) string {
	var qs []string
	if r.Type != nil && !r.Type.HasCode("", "normal") {
		if l := r.Type.Label(); l != "" {
			qs = append(qs, l)
		}
	}
	for _, a := range r.AppliesTo {
		if l := a.Label(); l != "" {
			qs = append(qs, l)
		}
	}
	if r.Age != nil {
		if a := rangeText(r.Age.Low, r.Age.High); a != "" {
			qs = append(qs, "age "+a)
		}
	}
	return strings.Join(qs, ", ")
}

// rangeText writes a low/high pair with the unit once when both ends share it.
func rangeText(low, high *fhir.Quantity) string {
	lv, lu := Quantity(low)
	hv, hu := Quantity(high)
	switch {
	case lv != "" && hv != "":
		if lu == hu {
			return joinUnit(lv+"–"+hv, lu)
		}
		return joinUnit(lv, lu) + "–" + joinUnit(hv, hu)
	case lv != "":
		return "≥ " + joinUnit(lv, lu)
	case hv != "":
		return "≤ " + joinUnit(hv, hu)
	}
	return ""
}

func joinUnit(v, u string) string {
	if u == "" {
		return v
	}
	return v + " " + u
}

// looksNumeric reports whether a value reads as a number — "7.20", "<5", "118/76", "1 : 160" —
// rather than words ("Negative", "Former smoker", "5–7 h", "Not recorded").
func looksNumeric(v string) bool {
	digit := false
	for _, c := range v {
		switch {
		case unicode.IsLetter(c):
			return false
		case unicode.IsDigit(c):
			digit = true
		}
	}
	return digit
}
