package sandbox

import (
	"strconv"
)

// buildStore creates the sandbox's data: Epic's test patients (Camila Lopez from her captures), the
// edge cases, and either a generated population or the bundles of opts.DataDir.
func buildStore(opts Options) (*store, LoadReport, error) {
	st := newStore()
	if err := loadCamila(st); err != nil {
		return nil, LoadReport{}, err
	}
	st.directory = append(st.directory, Listing{MRN: "203713", Name: "Camila Maria Lopez", Summary: "Epic test patient, from real captures: encounters, labs, vitals"})
	g := newGen(opts.Seed, opts.Now(), st)
	if err := g.addEpicTestPatients(); err != nil {
		return nil, LoadReport{}, err
	}
	g.addEdgeCases()

	var report LoadReport
	if opts.DataDir != "" {
		r, err := loadDataDir(st, opts.DataDir, opts.Now())
		if err != nil {
			return nil, LoadReport{}, err
		}
		report = r
	} else {
		for i := range opts.Patients {
			p := g.randomPerson(strconv.Itoa(300001 + i))
			st.addPatient(g.patientResource(p), nil)
			g.history(p, g.now.AddDate(-2-g.rng.IntN(5), 0, 0), g.now, 35+float64(g.rng.IntN(60)), 2+g.rng.IntN(3))
			if i < 5 {
				st.directory = append(st.directory, Listing{MRN: p.mrn, Name: p.fullName(), Summary: p.profile()})
			}
		}
	}
	g.addLapsedPatient()
	g.addCorrectedResultsPatient()
	g.addRedrawnCriticalPatient()
	st.finish()
	return st, report, nil
}

// profile summarises a generated person's conditions for the directory.
func (p *person) profile() string {
	var parts []string
	if p.hypertension {
		parts = append(parts, "hypertension")
	}
	if p.diabetes {
		parts = append(parts, "diabetes")
	}
	if p.ckd {
		parts = append(parts, "kidney disease")
	}
	if p.anemia {
		parts = append(parts, "anemia")
	}
	if p.smoker == "current" {
		parts = append(parts, "smoker")
	}
	if len(parts) == 0 {
		return "Generated patient, generally healthy"
	}
	s := "Generated patient: "
	for i, x := range parts {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}
