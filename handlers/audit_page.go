package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
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

// auditPage handles GET /admin/audit: the filter form and one page of records, newest first, with
// links to older pages. The filter comes from the session, named by the URL's opaque handle
// (?f=, set by auditFilterPost), so no MRN or patient id is ever in the address; ?before= pages
// back. A handle this session does not hold shows the form and says the filter has expired, with
// no records (404). With HX-Request (the pager links) it answers the results fragment only;
// otherwise the whole page. Admins only; each view is itself audited before the records are shown.
func (s *Server) auditPage(c echo.Context) error {
	trail, err := s.requireAuditAdmin(c, audit.ActionAuditView)
	if err != nil {
		return err
	}
	v := s.auditView(c)
	form, handle, err := s.auditFilterFromURL(c)
	if errors.Is(err, errAuditFilterExpired) {
		v.FilterExpired = true
		return s.render(c, http.StatusNotFound, views.Audit(v), views.AuditResults(v))
	}
	if err != nil {
		return err
	}
	v.Filter = form
	f, fe := s.checkAuditFilter(form)
	before, beforeErr := parseAuditBefore(c)
	if len(fe) > 0 || len(beforeErr) > 0 {
		v.FieldErrors = fieldErrors{}
		maps.Copy(v.FieldErrors, fe)
		maps.Copy(v.FieldErrors, beforeErr)
		return s.render(c, http.StatusUnprocessableEntity, views.Audit(v), views.AuditResults(v))
	}
	f.BeforeSeq = before
	f.Limit = auditPageSize + 1 // one extra tells whether an older page exists
	if err := s.recordAccess(c, auditAccess(audit.ActionAuditView, form, before, ""), audit.OutcomeShown); err != nil {
		return err
	}
	recs, err := trail.Query(c.Request().Context(), f)
	if err != nil {
		return fmt.Errorf("audit page: %w", err)
	}
	if len(recs) > auditPageSize {
		recs = recs[:auditPageSize]
		v.OlderURL = auditURL(views.AuditURL, handle, recs[len(recs)-1].Seq)
	}
	if before > 0 {
		v.NewestURL = auditURL(views.AuditURL, handle, 0)
	}
	v.ExportURL = auditURL(views.AuditExportURL, handle, 0)
	for _, r := range recs {
		v.Rows = append(v.Rows, s.auditRow(r))
	}
	return s.render(c, http.StatusOK, views.Audit(v), views.AuditResults(v))
}

// auditFilterPost handles POST /admin/audit, the filter form. The filter travels in the form body
// only: a valid one is kept in the session under an opaque handle and the browser is redirected
// to /admin/audit?f=<handle> (303; HX-Redirect for htmx), so the MRN or patient id typed never
// reaches a URL, a log line or the browser history. No filter at all redirects to the unfiltered
// page. An invalid filter re-shows the form with 422 and a message next to each field, shows no
// records and keeps no filter. Admins only; nothing is shown here, so the view is audited by the
// page the redirect leads to.
func (s *Server) auditFilterPost(c echo.Context) error {
	if _, err := s.requireAuditAdmin(c, audit.ActionAuditView); err != nil {
		return err
	}
	form, fe, err := s.bindAuditFilter(c)
	if err != nil {
		return echo.ErrBadRequest
	}
	if len(fe) > 0 {
		v := s.auditView(c)
		v.Filter = form
		v.FieldErrors = fe
		return s.render(c, http.StatusUnprocessableEntity, views.Audit(v), views.AuditResults(v))
	}
	if form == (views.AuditFilter{}) {
		return redirect(c, views.AuditURL)
	}
	h, err := s.rememberAuditFilter(c, form)
	if err != nil {
		return err
	}
	return redirect(c, auditURL(views.AuditURL, h, 0))
}

// auditView is the page's view model before any filter is read.
func (s *Server) auditView(c echo.Context) views.AuditPage {
	v := views.AuditPage{Page: s.page(c, "Audit trail"), Actions: audit.Actions()}
	// Audit records name patients; keep them out of htmx's history cache.
	v.NoHistory = true
	return v
}

// auditExport handles GET /admin/audit/export: every record matching the
// page's filter (named by the same ?f= handle as the page), oldest first, as
// a CSV download (formula-safe cells; format=jsonl for JSON Lines). A handle
// this session does not hold is a 404 saying the filter has expired, never
// an export of everything. Admins only; the export is audited before any
// record is written. The body streams straight from the database so an
// export of the whole trail never sits in memory.
func (s *Server) auditExport(c echo.Context) error {
	trail, err := s.requireAuditAdmin(c, audit.ActionAuditExport)
	if err != nil {
		return err
	}
	form, _, err := s.auditFilterFromURL(c)
	if err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	f, fe := s.checkAuditFilter(form)
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
	if err := s.recordAccess(c, auditAccess(audit.ActionAuditExport, form, 0, format), audit.OutcomeOK); err != nil {
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

// auditAccess is the audit_view/audit_export record of a look at the trail. The patient filters
// go in its patient and MRN fields, so a search of the trail for a patient also finds who looked
// at that patient's records, and in its Detail with the rest of the filter. The audit trail may
// hold an MRN; the URL and the logs never do.
func auditAccess(action string, form views.AuditFilter, before int64, format string) access {
	d := auditDetail(form, before)
	if format != "" {
		d = "format=" + format + " " + d
	}
	return access{Action: action, PatientID: form.Patient, MRN: form.MRN, Detail: d}
}

// auditDetail describes the filter for the audit_view/audit_export record.
func auditDetail(form views.AuditFilter, before int64) string {
	parts := []string{}
	for _, kv := range [][2]string{{"username", form.Username}, {"mrn", form.MRN}, {"patient", form.Patient},
		{"action", form.Action}, {"from", form.From}, {"to", form.To}} {
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
		Date:       r.Time.In(s.settings.Location).Format(time.DateOnly),
		Clock:      r.Time.In(s.settings.Location).Format("15:04:05 MST"),
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
