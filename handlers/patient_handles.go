package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/sessions"
)

// maxPatientHandles bounds the patients one session keeps handles for: enough for a clinic list,
// small enough that the session record stays tiny. The oldest handle is forgotten first.
const maxPatientHandles = 20

// handlePattern is what newHandle produces; anything else in a URL is rejected before the session
// is consulted.
var handlePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// newHandle returns 128 random bits, URL-safe, for a chart or an audit filter. Unguessable, so a handle is useless outside the
// session that holds it even before the session check.
func newHandle() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new handle: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// rememberPatient gives the patient a handle in this session (reusing the existing one when the
// patient was opened before, so open tabs keep working) and returns it. shared is how many
// patients the MRN found when this one was chosen among them (0: only this one).
func (s *Server) rememberPatient(c echo.Context, patientID, mrn string, shared int) (string, error) {
	ctx := c.Request().Context()
	refs, err := s.sessions.PatientRefs(ctx)
	if err != nil {
		return "", fmt.Errorf("remember patient: %w", err)
	}
	var ref sessions.PatientRef
	kept := refs[:0]
	for _, r := range refs {
		if r.PatientID == patientID {
			ref = r
			continue
		}
		kept = append(kept, r)
	}
	if ref.Handle == "" {
		h, err := newHandle()
		if err != nil {
			return "", err
		}
		ref = sessions.PatientRef{Handle: h, PatientID: patientID}
	}
	if mrn != "" {
		ref.MRN, ref.Shared = mrn, shared
	}
	kept = append(kept, ref)
	if len(kept) > maxPatientHandles {
		kept = kept[len(kept)-maxPatientHandles:]
	}
	if err := s.sessions.PutPatientRefs(ctx, kept); err != nil {
		return "", fmt.Errorf("remember patient: %w", err)
	}
	return ref.Handle, nil
}

// patientRef resolves the :h route parameter against this session. An unknown handle — mistyped,
// forgotten after maxPatientHandles newer patients, or from another session — is a plain 404, so
// the response says nothing about whether the patient exists.
func (s *Server) patientRef(c echo.Context) (sessions.PatientRef, error) {
	h := c.Param("h")
	if !handlePattern.MatchString(h) {
		return sessions.PatientRef{}, echo.ErrNotFound
	}
	refs, err := s.sessions.PatientRefs(c.Request().Context())
	if err != nil {
		return sessions.PatientRef{}, fmt.Errorf("patient handle: %w", err)
	}
	for _, r := range refs {
		if r.Handle == h {
			return r, nil
		}
	}
	return sessions.PatientRef{}, echo.ErrNotFound
}
