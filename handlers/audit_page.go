package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/staff"
	"github.com/chartside/chartside/views"
)

// AuditTrail is the audit trail as the admin page reads it; *audit.Log
// satisfies it. The page finds it on the Auditor dependency, so wiring one
// *audit.Log into Deps.Audit is enough.
//
// The routes (routes.go) sit behind requireUser and requireAdmin; the
// handlers check the role again so a routing mistake cannot expose the trail.
type AuditTrail interface {
	Auditor
	Query(ctx context.Context, f audit.Filter) ([]audit.Record, error)
	Export(ctx context.Context, w io.Writer, f audit.Filter, format string) error
}

// auditPageSize is how many records one page of the audit table shows.
const auditPageSize = 50

// errAuditNotQueryable means Deps.Audit records but cannot be read back
// (a wiring mistake, not a user error).
var errAuditNotQueryable = errors.New("audit page: the audit dependency cannot be queried")

// auditPage handles GET /admin/audit: filters (staff, patient, action, date
// range) and one page of records, newest first, with links to older pages.
// With HX-Request (filter form, pager links) it answers the results
// fragment only; otherwise the whole page. Admins only; each view is itself
// audited before the records are shown.
func (s *Server) auditPage(c echo.Context) error {
	trail, err := s.requireAuditAdmin(c, audit.ActionAuditView)
	if err != nil {
		return err
	}
	v := views.AuditPage{Page: s.page(c, "Audit trail"), Actions: audit.Actions()}
	// Audit records name patients; keep them out of htmx's history cache.
	v.NoHistory = true
	form, f, before, fe := s.parseAuditFilter(c)
	v.Filter = form
	if len(fe) > 0 {
		v.FieldErrors = fe
		return s.render(c, http.StatusUnprocessableEntity, views.Audit(v), views.AuditResults(v))
	}
	f.BeforeSeq = before
	f.Limit = auditPageSize + 1 // one extra tells whether an older page exists
	if err := s.recordAccess(c, access{Action: audit.ActionAuditView, PatientID: f.PatientID, Detail: auditDetail(form, before)}, audit.OutcomeShown); err != nil {
		return err
	}
	recs, err := trail.Query(c.Request().Context(), f)
	if err != nil {
		return fmt.Errorf("audit page: %w", err)
	}
	query := auditQuery(form)
	if len(recs) > auditPageSize {
		recs = recs[:auditPageSize]
		older := auditQuery(form) // a fresh map: query is reused below
		older.Set(views.AuditFieldBefore, strconv.FormatInt(recs[len(recs)-1].Seq, 10))
		v.OlderURL = views.AuditURL + "?" + older.Encode()
	}
	if before > 0 {
		v.NewestURL = auditLink(views.AuditURL, query)
	}
	v.ExportURL = auditLink(views.AuditExportURL, query)
	for _, r := range recs {
		v.Rows = append(v.Rows, s.auditRow(r))
	}
	return s.render(c, http.StatusOK, views.Audit(v), views.AuditResults(v))
}

// auditExport handles GET /admin/audit/export: every record matching the
// page's filters, oldest first, as a CSV download (formula-safe cells;
// format=jsonl for JSON Lines). Admins only; the export is audited before
// any record is written. The body streams straight from the database so an
// export of the whole trail never sits in memory.
func (s *Server) auditExport(c echo.Context) error {
	trail, err := s.requireAuditAdmin(c, audit.ActionAuditExport)
	if err != nil {
		return err
	}
	form, f, _, fe := s.parseAuditFilter(c)
	if len(fe) > 0 {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Check the audit filters.")
	}
	format := c.QueryParam("format")
	if format == "" {
		format = audit.FormatCSV
	}
	contentType := "text/csv; charset=utf-8"
	switch format {
	case audit.FormatCSV:
	case audit.FormatJSONL:
		contentType = "application/jsonl; charset=utf-8"
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "Unknown export format.")
	}
	if err := s.recordAccess(c, access{Action: audit.ActionAuditExport, PatientID: f.PatientID, Detail: "format=" + format + " " + auditDetail(form, 0)}, audit.OutcomeOK); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, contentType)
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="chartside-audit-%s.%s"`,
		s.settings.Now().In(s.settings.Location).Format("20060102-150405"), format))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	if err := trail.Export(c.Request().Context(), c.Response(), f, format); err != nil {
		// Headers are gone; the error handler sees a committed response and
		// only logs. The truncated file ends without its last lines.
		return fmt.Errorf("audit export: %w", err)
	}
	return nil
}

// requireAuditAdmin lets admins through and refuses everyone else with 403,
// recording the refusal. It also finds the queryable trail.
func (s *Server) requireAuditAdmin(c echo.Context, action string) (AuditTrail, error) {
	if s.sessions == nil {
		return nil, echo.ErrUnauthorized
	}
	u, ok := s.sessions.User(c.Request().Context())
	if !ok {
		return nil, echo.ErrUnauthorized
	}
	if u.Role != string(staff.RoleAdmin) {
		if err := s.recordAccess(c, access{Action: action, Detail: "not an admin"}, audit.OutcomeDenied); err != nil {
			return nil, err
		}
		return nil, errAdminOnly
	}
	trail, ok := s.audit.(AuditTrail)
	if !ok {
		return nil, errAuditNotQueryable
	}
	return trail, nil
}

// parseAuditFilter reads the filter from the query string. Dates are days in
// the clinic's time zone; "to" includes its whole day.
func (s *Server) parseAuditFilter(c echo.Context) (views.AuditFilter, audit.Filter, int64, map[string]string) {
	form := views.AuditFilter{
		Username: staff.NormalizeUsername(c.QueryParam(views.AuditFieldUsername)),
		Patient:  strings.TrimSpace(c.QueryParam(views.AuditFieldPatient)),
		Action:   strings.TrimSpace(c.QueryParam(views.AuditFieldAction)),
		From:     strings.TrimSpace(c.QueryParam(views.AuditFieldFrom)),
		To:       strings.TrimSpace(c.QueryParam(views.AuditFieldTo)),
	}
	fe := map[string]string{}
	f := audit.Filter{Username: form.Username, PatientID: form.Patient, Action: form.Action}
	if len(form.Username) > 256 {
		fe[views.AuditFieldUsername] = "That username is too long."
	}
	if len(form.Patient) > 256 {
		fe[views.AuditFieldPatient] = "That patient id is too long."
	}
	if form.Action != "" && !slices.Contains(audit.Actions(), form.Action) {
		fe[views.AuditFieldAction] = "Choose an action from the list."
	}
	day := func(field, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, v, s.settings.Location)
		if err != nil {
			fe[field] = "Enter the date as YYYY-MM-DD."
		}
		return t
	}
	f.From = day(views.AuditFieldFrom, form.From)
	if to := day(views.AuditFieldTo, form.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
		if !f.From.IsZero() && !f.To.After(f.From) {
			fe[views.AuditFieldTo] = "The end date must not be before the start date."
		}
	}
	var before int64
	if b := c.QueryParam(views.AuditFieldBefore); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			fe[views.AuditFieldBefore] = "That page link is not valid; start from the newest records."
		}
		before = n
	}
	return form, f, before, fe
}

// auditQuery is the filter as URL parameters, for pager and export links.
func auditQuery(form views.AuditFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{
		views.AuditFieldUsername: form.Username, views.AuditFieldPatient: form.Patient,
		views.AuditFieldAction: form.Action, views.AuditFieldFrom: form.From, views.AuditFieldTo: form.To,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

func auditLink(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// auditDetail describes the filter for the audit_view/audit_export record.
func auditDetail(form views.AuditFilter, before int64) string {
	parts := []string{}
	for _, kv := range [][2]string{{"username", form.Username}, {"action", form.Action}, {"from", form.From}, {"to", form.To}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if before > 0 {
		parts = append(parts, "before="+strconv.FormatInt(before, 10))
	}
	if len(parts) == 0 {
		return "all records"
	}
	return strings.Join(parts, " ")
}

func (s *Server) auditRow(r audit.Record) views.AuditRow {
	return views.AuditRow{
		Seq:        strconv.FormatInt(r.Seq, 10),
		Time:       r.Time.In(s.settings.Location).Format("2006-01-02 15:04:05 MST"),
		Username:   r.Username,
		Action:     r.Action,
		PatientID:  r.PatientID,
		MRN:        r.MRN,
		Outcome:    r.Outcome,
		ClientAddr: r.ClientAddr,
		RequestID:  r.RequestID,
		Detail:     r.Detail,
	}
}
