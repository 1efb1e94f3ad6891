// Package present turns typed FHIR resources into Chartside's view models (package views). It is
// pure: no I/O, no clock (callers pass now and the clinic time zone), no HTML.
//
// The clinical rules live here and nowhere else: values exactly as Epic sent them (digits, comparator,
// unit), blood pressure as one value from its components, interpretation codes in words with an icon
// (an unknown code is shown as given, never as normal), partial dates kept partial, birth dates never
// shifted by a zone, times in the clinic zone, and "Not recorded" instead of silently dropping
// missing data.
package present
