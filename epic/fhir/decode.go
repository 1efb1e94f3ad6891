package fhir

import (
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Unmarshal decodes FHIR JSON from Epic into v. It is encoding/json's v2 engine (the
// go-json-experiment module, which became encoding/json/v2): decoding Epic's Bundles is most of
// Chartside's CPU under load, and v2 decodes them in one pass where v1 validates every value
// before decoding it (BENCHMARKS.md). Behaviour differs from encoding/json v1 in what FHIR
// forbids anyway: member names match exactly (FHIR JSON is case-sensitive) and a repeated member
// is an error. Invalid UTF-8 is replaced, as v1 does, so one bad character in a note does not
// lose a whole section. Decimal values keep the digits Epic sent ("7.20").
func Unmarshal(data []byte, v any) error {
	return jsonv2.Unmarshal(data, v, decodeOptions)
}

var decodeOptions = jsontext.AllowInvalidUTF8(true)
