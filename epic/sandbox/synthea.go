package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// encounterClassToEpic maps HL7 v3 ActCode encounter classes (Synthea's) to the Epic class codings
// the sandbox uses for generated encounters.
var encounterClassToEpic = map[string]fhir.Coding{
	"AMB":  {System: sysEncClass, Code: "13", Display: "Support OP Encounter"},
	"EMER": {System: sysEncClass, Code: "3", Display: "Emergency"},
	"IMP":  {System: sysEncClass, Code: "1", Display: "Inpatient"},
}

// loadDataDir reads every *.json FHIR R4 Bundle in dir (Synthea output, for example) and maps what
// it can into Epic's shapes: Patients get an MRN under MRNSystem (their MR identifier, or a new
// number), urn:uuid references become relative ones, encounter classes become Epic codings and lab
// observations get Epic's Lab category. Everything else is counted in the report as skipped. now is
// the sandbox's clock (Options.Now): the directory lists each patient under the name in effect
// then, taking today as its UTC date, as the sandbox has no clinic zone.
func loadDataDir(st *store, dir string, now time.Time) (LoadReport, error) {
	report := LoadReport{Mapped: map[string]int{}, Skipped: map[string]int{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return report, fmt.Errorf("sandbox: data dir: %w", err)
	}
	if len(files) == 0 {
		return report, fmt.Errorf("sandbox: data dir %s: no *.json bundles", dir)
	}
	sort.Strings(files)
	nextMRN := 500001
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return report, fmt.Errorf("sandbox: data dir: %w", err)
		}
		var b fhir.Bundle
		if err := json.Unmarshal(raw, &b); err != nil || b.ResourceType != "Bundle" {
			report.Skipped["not a FHIR Bundle: "+filepath.Base(f)]++
			continue
		}
		report.Files++
		refs := map[string]string{} // fullUrl → Type/id
		for _, e := range b.Entry {
			if t := e.ResourceType(); t != "" {
				var head struct {
					ID string `json:"id"`
				}
				_ = json.Unmarshal(e.Resource, &head)
				refs[e.FullURL] = t + "/" + head.ID
			}
		}
		fix := func(r *fhir.Reference) {
			if r != nil {
				if v, ok := refs[r.Reference]; ok {
					r.Reference = v
				}
			}
		}
		patientOf := func(r *fhir.Reference) string {
			if r == nil {
				return ""
			}
			return strings.TrimPrefix(r.Reference, "Patient/")
		}
		for _, e := range b.Entry {
			switch t := e.ResourceType(); t {
			case "Patient":
				var p fhir.Patient
				if err := json.Unmarshal(e.Resource, &p); err != nil {
					report.Skipped["unreadable Patient"]++
					continue
				}
				mrn, ok := p.IdentifierByType("MR")
				if !ok {
					mrn = strconv.Itoa(nextMRN)
					nextMRN++
				}
				p.Identifier = append(p.Identifier, fhir.Identifier{Use: "usual", Type: &fhir.CodeableConcept{Text: "EPI"}, System: MRNSystem, Value: mrn})
				st.addPatient(p, nil)
				report.Patients++
				report.Mapped[t]++
				if report.Patients <= 10 {
					name, _ := p.OfficialNameAt(now, time.UTC)
					st.directory = append(st.directory, Listing{MRN: mrn, Name: strings.TrimSpace(strings.Join(name.Given, " ") + " " + name.Family), Summary: "Loaded from " + filepath.Base(f)})
				}
			case "Encounter":
				var enc fhir.Encounter
				if err := json.Unmarshal(e.Resource, &enc); err != nil {
					report.Skipped["unreadable Encounter"]++
					continue
				}
				fix(enc.Subject)
				fix(enc.ServiceProvider)
				if enc.Class != nil {
					if c, ok := encounterClassToEpic[enc.Class.Code]; ok {
						enc.Class = &c
					}
				}
				for i := range enc.Participant {
					fix(enc.Participant[i].Individual)
				}
				pid := patientOf(enc.Subject)
				if _, ok := st.get("Patient", pid); !ok {
					report.Skipped["Encounter of an unknown patient"]++
					continue
				}
				st.addEncounter(enc, pid, nil)
				report.Mapped[t]++
			case "Observation":
				var o fhir.Observation
				if err := json.Unmarshal(e.Resource, &o); err != nil {
					report.Skipped["unreadable Observation"]++
					continue
				}
				fix(o.Subject)
				fix(o.Encounter)
				if o.HasCategory("laboratory") {
					o.Category = append(o.Category, cc(sysEpicLabCat, "Lab", "Lab"))
				}
				pid := patientOf(o.Subject)
				if _, ok := st.get("Patient", pid); !ok {
					report.Skipped["Observation of an unknown patient"]++
					continue
				}
				st.addObservation(o, pid, nil)
				report.Mapped[t]++
			default:
				report.Skipped["resource type "+t+" not served"]++
			}
		}
	}
	return report, nil
}
