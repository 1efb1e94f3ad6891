// Package fhir is the typed subset of FHIR R4 that Chartside reads from Epic: searchset Bundles,
// OperationOutcome, Patient, Encounter, Observation and the datatypes they use.
//
// No maintained FHIR model module can be installed here, so the subset is written by hand from the
// captured Epic responses in epic/sandbox/captures. Two choices matter for clinical display:
// dates and date-times keep the exact string Epic sent (a birth date is a calendar day, never an
// instant that a time-zone conversion could move), and Quantity values are Decimal (the digits as sent) so "7.20"
// is shown as "7.20", not "7.2".
//
// Errors produced while decoding never quote the offending value: it may be PHI.
package fhir
