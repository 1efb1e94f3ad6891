package fhir

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// Decimal is a FHIR decimal kept as the digits Epic sent: "7.20" stays "7.20" (trailing zeros carry
// precision in lab results) and "0.000001" is not rewritten as "1e-06". It replaces
// encoding/json's Number in the FHIR types because the v2 decoder (see Unmarshal) only reaches
// Number through a per-call unmarshaler option, and that option made it look up every value of
// every resource in a type table: 3 % of Chartside's CPU under load (BENCHMARKS.md). A method on
// the type is found once per type.
type Decimal string

// String returns the digits.
func (d Decimal) String() string { return string(d) }

// Float64 parses the digits.
func (d Decimal) Float64() (float64, error) { return strconv.ParseFloat(string(d), 64) }

var errNotNumber = errors.New("fhir: decimal is not a JSON number")

// UnmarshalJSONFrom reads a JSON number verbatim (the v2 decoder Unmarshal uses).
func (d *Decimal) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	if v.Kind() != '0' {
		return errNotNumber
	}
	*d = Decimal(v)
	return nil
}

// UnmarshalJSON reads a JSON number verbatim for encoding/json, accepting what encoding/json
// accepts for a json.Number; null leaves d alone.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*d = Decimal(n)
	return nil
}

// MarshalJSON writes the digits as a JSON number, as encoding/json writes a json.Number.
func (d Decimal) MarshalJSON() ([]byte, error) {
	return json.Marshal(json.Number(d))
}
