package audit

import (
	"errors"
	"time"
)

// Actions recorded in the trail.
const (
	ActionSignIn        = "signin"
	ActionSignInFailed  = "signin_failed"
	ActionSignOut       = "signout"
	ActionTimeout       = "timeout"
	ActionLookup        = "lookup"
	ActionChartView     = "chart_view"
	ActionEncounterView = "encounter_view"
	ActionAnalyteView   = "analyte_view"
	ActionRefresh       = "refresh"
	ActionPrint         = "print"
	ActionAccountChange = "account_change"
	ActionAuditView     = "audit_view"
	ActionAuditExport   = "audit_export"
)

// Outcomes of a recorded action.
const (
	OutcomeShown         = "shown"
	OutcomeNotFound      = "not_found"
	OutcomeMultiple      = "multiple"
	OutcomeUpstreamError = "upstream_error"
	OutcomeCancelled     = "cancelled"
	OutcomeOK            = "ok"
	OutcomeFailed        = "failed"
	OutcomeDenied        = "denied"
)

// Actions lists every action in a stable order, for filter menus and validation.
func Actions() []string {
	return []string{
		ActionSignIn, ActionSignInFailed, ActionSignOut, ActionTimeout,
		ActionLookup, ActionChartView, ActionEncounterView, ActionAnalyteView,
		ActionRefresh, ActionPrint, ActionAccountChange, ActionAuditView, ActionAuditExport,
	}
}

// Outcomes lists every outcome in a stable order.
func Outcomes() []string {
	return []string{
		OutcomeShown, OutcomeNotFound, OutcomeMultiple, OutcomeUpstreamError,
		OutcomeCancelled, OutcomeOK, OutcomeFailed, OutcomeDenied,
	}
}

// Entry is one event as the caller reports it.
type Entry struct {
	// Time is when it happened, stored in UTC at microsecond precision;
	// Record sets it from its clock when zero.
	Time       time.Time
	Username   string // staff username, or "cli" for command-line changes
	Action     string // one of the Action constants
	PatientID  string // Epic FHIR Patient id, when a patient is involved
	MRN        string // the MRN searched, for lookups
	Outcome    string // one of the Outcome constants
	ClientAddr string // client address as resolved through trusted proxies
	RequestID  string
	Detail     string // short free text; never tokens or passwords
}

// Record is a stored Entry with its place in the chain.
type Record struct {
	Seq int64
	Entry
	PrevHash string
	Hash     string
}

// Limits keep one record from bloating the trail or the exports.
const (
	maxFieldLen  = 256
	maxDetailLen = 2048
)

// Errors returned by Record for entries that must not be stored as given.
var (
	ErrInvalidAction  = errors.New("audit: unknown action")
	ErrInvalidOutcome = errors.New("audit: unknown outcome")
	ErrMissingUser    = errors.New("audit: username is required")
	ErrFieldTooLong   = errors.New("audit: field too long")
)

func known(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (e Entry) validate() error {
	if e.Username == "" {
		return ErrMissingUser
	}
	if !known(Actions(), e.Action) {
		return ErrInvalidAction
	}
	if !known(Outcomes(), e.Outcome) {
		return ErrInvalidOutcome
	}
	for _, f := range []string{e.Username, e.PatientID, e.MRN, e.ClientAddr, e.RequestID} {
		if len(f) > maxFieldLen {
			return ErrFieldTooLong
		}
	}
	if len(e.Detail) > maxDetailLen {
		return ErrFieldTooLong
	}
	return nil
}
