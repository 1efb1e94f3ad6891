package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/logging"
)

// errAuditUnavailable wraps a failed audit append. Handlers return it instead of the page they
// were about to show: the access could not be recorded, so the data is not shown (fail closed).
var errAuditUnavailable = errors.New("audit trail unavailable")

// access describes one look at patient data for the audit trail.
type access struct {
	Action    string // audit.Action*
	PatientID string
	MRN       string
	Detail    string // which part of the chart, never values from it
}

// recordAccess appends the access to the audit trail with the outcome fetchErr implies, before the
// caller shows anything. Who, from where and which request come from the request itself. The
// append is detached from the request's cancellation: a clinician who closes the tab mid-request
// still leaves a trace ("cancelled"), and a half-written append is never the reason data shows.
func (s *Server) recordAccess(c echo.Context, a access, outcome string) error {
	ctx := c.Request().Context()
	user, _ := s.sessions.User(ctx)
	e := audit.Entry{
		Username:   user.Username,
		Action:     a.Action,
		PatientID:  a.PatientID,
		MRN:        a.MRN,
		Outcome:    outcome,
		ClientAddr: s.clientIP(c.Request()),
		RequestID:  logging.RequestID(ctx),
		Detail:     a.Detail,
	}
	if err := s.audit.Record(context.WithoutCancel(ctx), e); err != nil {
		// %v, not %w: the cause (a timeout, a closed database) must not be mistaken for an Epic failure
		// by the error handler; the log line still carries its text.
		return fmt.Errorf("%w: %v", errAuditUnavailable, err)
	}
	return nil
}

// outcomeFor is the audit outcome of a fetch that ended with err.
func outcomeFor(err error) string {
	switch {
	case err == nil:
		return audit.OutcomeShown
	case errors.Is(err, context.Canceled):
		return audit.OutcomeCancelled
	case errors.Is(err, epic.ErrNotFound):
		return audit.OutcomeNotFound
	default:
		return audit.OutcomeUpstreamError
	}
}
