package fhir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestUnmarshalMatchesEncodingJSON: on everything Epic's sandbox really sent (the captures) and on
// the Synthea bundles, the v2 decoder Chartside uses yields exactly what encoding/json yields, for
// every resource type Chartside reads.
func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	captures, _ := filepath.Glob(filepath.Join(capturesDir, "*.json"))
	synthea, _ := filepath.Glob("../../../shared/fhir-samples/*.json")
	files := append(captures, synthea...)
	if len(captures) == 0 {
		t.Fatal("no captures found")
	}
	compared := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var b Bundle
		if PeekResourceType(raw) != "Bundle" {
			continue
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var b2 Bundle
		if err := Unmarshal(raw, &b2); err != nil {
			t.Fatalf("%s: v2: %v", f, err)
		}
		if !reflect.DeepEqual(b, b2) {
			t.Errorf("%s: Bundle decodes differently", filepath.Base(f))
		}
		for i, e := range b.Entry {
			var v1, v2 any
			switch e.ResourceType() {
			case "Observation":
				v1, v2 = new(Observation), new(Observation)
			case "Patient":
				v1, v2 = new(Patient), new(Patient)
			case "Encounter":
				v1, v2 = new(Encounter), new(Encounter)
			case "OperationOutcome":
				v1, v2 = new(OperationOutcome), new(OperationOutcome)
			default:
				continue
			}
			if err := json.Unmarshal(e.Resource, v1); err != nil {
				t.Fatalf("%s entry %d: %v", f, i, err)
			}
			if err := Unmarshal(e.Resource, v2); err != nil {
				t.Fatalf("%s entry %d: v2: %v", f, i, err)
			}
			if !reflect.DeepEqual(v1, v2) {
				t.Errorf("%s entry %d (%s) decodes differently:\nv1 %+v\nv2 %+v", filepath.Base(f), i, e.ResourceType(), v1, v2)
			}
			compared[e.ResourceType()]++
		}
	}
	t.Logf("compared %v over %d files", compared, len(files))
	if compared["Observation"] == 0 || compared["Patient"] == 0 || compared["Encounter"] == 0 {
		t.Errorf("compared too little: %v", compared)
	}
}

// TestUnmarshalKeepsNumbersAndBadUTF8: the two places where v2's defaults differ from what
// Chartside needs.
func TestUnmarshalKeepsNumbersAndBadUTF8(t *testing.T) {
	var o Observation
	raw := []byte("{\"resourceType\":\"Observation\",\"code\":{\"text\":\"Na\xff\"},\"valueQuantity\":{\"value\":7.20,\"unit\":\"mmol/L\"}}")
	if err := Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	if got := o.ValueQuantity.Value.String(); got != "7.20" {
		t.Errorf("value = %q, want the digits Epic sent, 7.20", got)
	}
	if o.Code.Text != "Na\uFFFD" {
		t.Errorf("code text = %q, want the bad byte replaced", o.Code.Text)
	}
	if err := Unmarshal([]byte(`{"valueQuantity":{"value":"7.2"}}`), &o); err == nil {
		t.Error("a string where FHIR has a number was accepted")
	}
}
