package fhir

import (
	"encoding/json"
	"testing"
)

// TestDecimalKeepsDigits: a lab value keeps the digits Epic sent through both decoders and back
// out, so "7.20" is never shown as "7.2" and "0.000001" never as "1e-06".
func TestDecimalKeepsDigits(t *testing.T) {
	for _, digits := range []string{"7.20", "0.000001", "-3", "1E+3", "120"} {
		doc := []byte(`{"value":` + digits + `,"unit":"mg/dL"}`)
		var v1, v2 Quantity
		if err := json.Unmarshal(doc, &v1); err != nil {
			t.Fatalf("%s: encoding/json: %v", digits, err)
		}
		if err := Unmarshal(doc, &v2); err != nil {
			t.Fatalf("%s: Unmarshal: %v", digits, err)
		}
		if v1.Value.String() != digits || v2.Value.String() != digits {
			t.Errorf("%s: decoded as %q (encoding/json) and %q (Unmarshal)", digits, v1.Value, v2.Value)
		}
		out, err := json.Marshal(v2)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != string(doc) {
			t.Errorf("%s: re-encoded as %s", digits, out)
		}
	}
}

// TestDecimalRejectsNonNumbers: a value that is not a JSON number is a decoding error (the section
// reports a broken Epic response), not an empty value shown as if nothing was measured.
func TestDecimalRejectsNonNumbers(t *testing.T) {
	for _, doc := range []string{`{"value":true}`, `{"value":{}}`, `{"value":"7.2"}`, `{"value":null}`} {
		var q Quantity
		if err := Unmarshal([]byte(doc), &q); err == nil {
			t.Errorf("%s: decoded as %q, want an error", doc, q.Value)
		}
	}
	var d Decimal
	if _, err := json.Marshal(Decimal("7,2")); err == nil {
		t.Error("encoding/json marshalled the non-number 7,2")
	}
	if err := json.Unmarshal([]byte(`null`), &d); err != nil || d != "" {
		t.Errorf("encoding/json null: %q, %v", d, err)
	}
}
