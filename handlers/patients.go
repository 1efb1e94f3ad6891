package handlers

import (
	"context"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
)

// Patients is what the lookup and chart handlers need from Epic. *epic.Client satisfies it; the
// methods return the client's typed errors, which upstream_errors.go turns into messages.
type Patients interface {
	SearchPatientsByMRN(ctx context.Context, mrn string) (epic.Result[fhir.Patient], error)
	ReadPatient(ctx context.Context, id string) (fhir.Patient, error)
	SearchEncounters(ctx context.Context, patientID string, q epic.EncounterQuery) (epic.Result[fhir.Encounter], error)
	SearchObservations(ctx context.Context, patientID string, q epic.ObservationQuery) (epic.Result[fhir.Observation], error)
}

// Auditor records one access to patient data. *audit.Log satisfies it. Handlers record before they
// show anything and show no patient data when Record fails.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}
