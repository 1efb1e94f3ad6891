package sessions

import (
	"context"
	"encoding/json"
	"fmt"
)

// Session keys for the patients a session has resolved. Kept here with the other keys so handlers
// never spell them.
const (
	keyPatients      = "patients"
	keyLookupChoices = "lookup_choices"
)

// PatientRef ties an opaque, session-scoped handle to the patient it stands for. Chart URLs carry
// only the handle, so neither the MRN nor the FHIR id appears in an address, a log line or browser
// history, and a handle copied into another session means nothing there.
type PatientRef struct {
	Handle    string `json:"h"`
	PatientID string `json:"p"` // Epic FHIR Patient id
	MRN       string `json:"m"` // the MRN that was looked up, for the audit trail
	// Shared is how many patients Epic found with that MRN when this one was chosen among them
	// (0 when the MRN found only this patient), so the chart can keep saying so.
	Shared int `json:"s,omitempty"`
}

// PatientRefs returns the patients this session has opened, most recent last. The list is encoded
// as JSON text in the session (a plain string needs no gob registration in any store).
func (m *Manager) PatientRefs(ctx context.Context) ([]PatientRef, error) {
	return getList[PatientRef](ctx, m, keyPatients)
}

// PutPatientRefs replaces the session's list of opened patients and saves the session at once: the
// browser is about to be sent to a chart URL carrying the new handle, which must not 404 because the
// save failed after the redirect went out. A store failure is ErrStoreUnavailable. The caller bounds
// the list's length.
func (m *Manager) PutPatientRefs(ctx context.Context, refs []PatientRef) error {
	return putList(ctx, m, keyPatients, refs)
}

// LookupChoices returns the patients the session's last ambiguous lookup offered (several patients
// sharing one MRN); a choice is accepted only from this list.
func (m *Manager) LookupChoices(ctx context.Context) ([]PatientRef, error) {
	return getList[PatientRef](ctx, m, keyLookupChoices)
}

// PutLookupChoices replaces the offered choices and saves the session at once (the page offering
// them is about to be shown; see PutPatientRefs). nil clears them, saved with the request's other
// changes: a clearing that is lost only leaves choices the session was offered anyway.
func (m *Manager) PutLookupChoices(ctx context.Context, refs []PatientRef) error {
	if refs == nil {
		st, ok := stateFrom(ctx)
		if !ok {
			return ErrNoSession
		}
		m.unset(ctx, st, keyLookupChoices)
		return nil
	}
	return putList(ctx, m, keyLookupChoices, refs)
}

// getList reads a list kept as JSON text under key (a plain string needs no gob registration in any
// store).
func getList[T any](ctx context.Context, m *Manager, key string) ([]T, error) {
	st, ok := stateFrom(ctx)
	if !ok {
		return nil, ErrNoSession
	}
	raw := m.scs.GetString(ctx, key)
	if raw == "" {
		return nil, nil
	}
	var refs []T
	if err := json.Unmarshal([]byte(raw), &refs); err != nil {
		// Damaged or from an older version: forget it rather than fail every chart request.
		m.unset(ctx, st, key)
		return nil, nil
	}
	return refs, nil
}

// putList replaces the list under key and saves the session at once.
func putList[T any](ctx context.Context, m *Manager, key string, refs []T) error {
	st, ok := stateFrom(ctx)
	if !ok {
		return ErrNoSession
	}
	b, err := json.Marshal(refs)
	if err != nil {
		return fmt.Errorf("sessions: encode %s: %w", key, err)
	}
	m.set(ctx, st, key, string(b))
	if err := m.save(ctx, st); err != nil {
		return fmt.Errorf("sessions: save %s: %w", key, err)
	}
	return nil
}
