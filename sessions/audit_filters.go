package sessions

import "context"

// keyAuditFilters holds the audit page's filters (see AuditFilter).
const keyAuditFilters = "audit_filters"

// AuditFilter is one filter of the admin audit page, kept in the session under an opaque handle.
// The page's URLs (the filter's own address, the pager, the export link) carry only the handle, so
// an MRN or FHIR id an auditor filters on never reaches an address, a log line or browser history,
// and a handle copied into another session finds nothing there. The values are as the form
// submitted them, already validated.
type AuditFilter struct {
	Handle    string `json:"h"`
	Username  string `json:"u,omitempty"`
	PatientID string `json:"p,omitempty"` // Epic FHIR Patient id
	MRN       string `json:"m,omitempty"`
	Action    string `json:"a,omitempty"`
	From      string `json:"f,omitempty"` // YYYY-MM-DD in the clinic's time zone
	To        string `json:"t,omitempty"` // YYYY-MM-DD, inclusive
}

// AuditFilters returns the audit filters this session has set, most recent last.
func (m *Manager) AuditFilters(ctx context.Context) ([]AuditFilter, error) {
	return getList[AuditFilter](ctx, m, keyAuditFilters)
}

// PutAuditFilters replaces the session's audit filters and saves the session at once: the browser
// is about to be redirected to the URL carrying the new handle (see PutPatientRefs). A store
// failure is ErrStoreUnavailable. The caller bounds the list's length.
func (m *Manager) PutAuditFilters(ctx context.Context, filters []AuditFilter) error {
	return putList(ctx, m, keyAuditFilters, filters)
}
