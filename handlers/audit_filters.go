package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/staff"
	"github.com/chartside/chartside/views"
)

// maxAuditFilters bounds the filters one session keeps handles for: enough for an auditor moving
// between a few searches in several tabs, small enough that the session record stays tiny. The
// oldest is forgotten first; its links then say the filter has expired.
const maxAuditFilters = 10

// errAuditFilterExpired is a URL naming a filter this session does not hold: expired with the
// session, forgotten for newer ones, or set in another session.
var errAuditFilterExpired = errors.New("audit page: the filter in the URL is not held by this session")

// auditFilterForm is the audit page's filter form as POSTed. The form names are the
// views.AuditField* constants; checkAuditFilter validates it.
type auditFilterForm struct {
	Username string `form:"username"`
	MRN      string `form:"mrn"`
	Patient  string `form:"patient"`
	Action   string `form:"action"`
	From     string `form:"from"`
	To       string `form:"to"`
}

// legacyAuditParams are the filter fields the page once took from its URL. A URL that still
// carries them (an old bookmark) is treated as an expired filter instead of being silently
// ignored, which would show every record under what looks like a filter.
var legacyAuditParams = []string{
	views.AuditFieldUsername, views.AuditFieldPatient, views.AuditFieldMRN,
	views.AuditFieldAction, views.AuditFieldFrom, views.AuditFieldTo,
}

// bindAuditFilter reads the POSTed filter form. A nil fieldErrors means it is valid.
func (s *Server) bindAuditFilter(c echo.Context) (views.AuditFilter, fieldErrors, error) {
	var in auditFilterForm
	if _, err := s.bindForm(c, &in, nil); err != nil {
		return views.AuditFilter{}, nil, err
	}
	form := views.AuditFilter{
		Username: staff.NormalizeUsername(in.Username),
		MRN:      in.MRN,
		Patient:  in.Patient,
		Action:   in.Action,
		From:     in.From,
		To:       in.To,
	}
	_, fe := s.checkAuditFilter(form)
	return form, fe, nil
}

// checkAuditFilter validates the filter and turns it into the trail's query. Dates are days in the
// clinic's time zone; "to" includes its whole day.
func (s *Server) checkAuditFilter(form views.AuditFilter) (audit.Filter, fieldErrors) {
	fe := fieldErrors{}
	f := audit.Filter{Username: form.Username, PatientID: form.Patient, MRN: form.MRN, Action: form.Action}
	if len(form.Username) > 256 {
		fe[views.AuditFieldUsername] = "That username is too long."
	}
	// The lookup form's rule and message (the MRN_PATTERN validator).
	if form.MRN != "" && s.validate.Var(form.MRN, "mrn") != nil {
		fe[views.AuditFieldMRN] = fmt.Sprintf(tagMessages["mrn"], "MRN")
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
	if len(fe) == 0 {
		return f, nil
	}
	return f, fe
}

// auditFilterFromURL finds the filter the URL's handle names in this session: the zero filter
// when there is no handle, errAuditFilterExpired for a handle the session does not hold (or a URL
// still carrying filter fields; see legacyAuditParams).
func (s *Server) auditFilterFromURL(c echo.Context) (views.AuditFilter, string, error) {
	q := c.QueryParams()
	for _, p := range legacyAuditParams {
		if q.Has(p) {
			return views.AuditFilter{}, "", errAuditFilterExpired
		}
	}
	h := q.Get(views.AuditFieldHandle)
	if h == "" && !q.Has(views.AuditFieldHandle) {
		return views.AuditFilter{}, "", nil
	}
	if !handlePattern.MatchString(h) {
		return views.AuditFilter{}, "", errAuditFilterExpired
	}
	filters, err := s.sessions.AuditFilters(c.Request().Context())
	if err != nil {
		return views.AuditFilter{}, "", fmt.Errorf("audit filter: %w", err)
	}
	for _, f := range filters {
		if f.Handle == h {
			return viewAuditFilter(f), h, nil
		}
	}
	return views.AuditFilter{}, "", errAuditFilterExpired
}

// rememberAuditFilter keeps the filter in the session under a handle and returns the handle. The
// same filter set again gets its existing handle (open tabs keep working) and becomes the newest.
func (s *Server) rememberAuditFilter(c echo.Context, form views.AuditFilter) (string, error) {
	ctx := c.Request().Context()
	filters, err := s.sessions.AuditFilters(ctx)
	if err != nil {
		return "", fmt.Errorf("remember audit filter: %w", err)
	}
	want := sessionAuditFilter(form)
	kept := filters[:0]
	for _, f := range filters {
		if sameAuditFilter(f, want) {
			want.Handle = f.Handle
			continue
		}
		kept = append(kept, f)
	}
	if want.Handle == "" {
		h, err := newHandle()
		if err != nil {
			return "", fmt.Errorf("remember audit filter: %w", err)
		}
		want.Handle = h
	}
	kept = append(kept, want)
	if len(kept) > maxAuditFilters {
		kept = kept[len(kept)-maxAuditFilters:]
	}
	if err := s.sessions.PutAuditFilters(ctx, kept); err != nil {
		return "", fmt.Errorf("remember audit filter: %w", err)
	}
	return want.Handle, nil
}

// sameAuditFilter compares two filters by what they select, not by handle.
func sameAuditFilter(a, b sessions.AuditFilter) bool {
	a.Handle, b.Handle = "", ""
	return a == b
}

func sessionAuditFilter(form views.AuditFilter) sessions.AuditFilter {
	return sessions.AuditFilter{Username: form.Username, PatientID: form.Patient, MRN: form.MRN,
		Action: form.Action, From: form.From, To: form.To}
}

func viewAuditFilter(f sessions.AuditFilter) views.AuditFilter {
	return views.AuditFilter{Username: f.Username, Patient: f.PatientID, MRN: f.MRN,
		Action: f.Action, From: f.From, To: f.To}
}

// parseAuditBefore reads the pager's cursor (0 = the newest page).
func parseAuditBefore(c echo.Context) (int64, fieldErrors) {
	b := c.QueryParam(views.AuditFieldBefore)
	if b == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(b, 10, 64)
	if err != nil || n <= 0 {
		return 0, fieldErrors{views.AuditFieldBefore: "That page link is not valid; start from the newest records."}
	}
	return n, nil
}

// auditURL is path with the filter's handle and the pager's cursor: the only things the audit
// pages ever put in a URL. The handle comes first, so every address of one filter starts alike.
func auditURL(path, handle string, before int64) string {
	var q []string
	if handle != "" {
		q = append(q, views.AuditFieldHandle+"="+url.QueryEscape(handle))
	}
	if before > 0 {
		q = append(q, views.AuditFieldBefore+"="+strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + strings.Join(q, "&")
}
