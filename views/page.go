package views

import (
	"context"
	"encoding/json"
)

// Fragment ids shared by id= and hx-target= attributes.
const (
	// AlertsID is the page-level alerts region; htmx error responses are swapped into it.
	AlertsID = "alerts"
	// MainID is the main landmark; full-page htmx navigation targets it.
	MainID = "main"
)

// Page is the view model for the page shell shared by every full page.
type Page struct {
	Title     string
	Sandbox   bool   // connected to the embedded Epic sandbox, not a real Epic
	CSRFToken string // sent by htmx as X-CSRF-Token and by plain forms as csrf_token
	User      *User  // nil when signed out
	Kiosk     Kiosk
	Alerts    []Alert
	// PrintedBy and PrintedAt fill the print footer ("Printed by … on …") of pages with patient data.
	PrintedBy string
	PrintedAt string
	// NoHistory marks pages with patient data: htmx must not keep snapshots of them in browser storage.
	NoHistory bool
	// FindPatient offers "Find another patient" in the header: on a patient's pages, where a nurse
	// at a kiosk otherwise had to guess that the wordmark leads back to the lookup.
	FindPatient bool
}

// User is the signed-in staff member as the chrome shows them.
type User struct {
	Username string
	IsAdmin  bool
}

// Kiosk carries what the idle countdown needs on shared workstations.
type Kiosk struct {
	Enabled     bool
	IdleSeconds int // idle time the server guarantees (sessions.Manager.GuaranteedIdle); the countdown starts WarnSeconds before it
	WarnSeconds int
}

// AlertLevel picks an alert's style and ARIA role.
type AlertLevel string

// Alert levels.
const (
	AlertInfo    AlertLevel = "info"
	AlertSuccess AlertLevel = "success"
	AlertWarning AlertLevel = "warning"
	AlertError   AlertLevel = "error"
)

// Alert is a message shown in the alerts region or inside a section.
type Alert struct {
	Level  AlertLevel
	Title  string
	Detail string // what to do next
	// Compact shows the alert as a one-line note (Title) whose Detail opens on demand: for a
	// standing condition of the record that applies to nearly every search (Epic leaving out
	// outside records), which as a full box per section buried the notices that ask for action.
	Compact bool
	// Reference shows the request's reference (WithReference) below the detail, for advice that
	// asks the user to quote it to IT: it finds the request's log line and audit record.
	Reference bool
}

type referenceKey struct{}

// WithReference gives the alerts rendered with ctx the reference they show (the request id).
func WithReference(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, referenceKey{}, id)
}

func reference(ctx context.Context) string {
	id, _ := ctx.Value(referenceKey{}).(string)
	return id
}

func (a Alert) class() string { return "alert alert-" + string(a.Level) }

// role makes errors interrupt a screen reader and everything else wait politely.
func (a Alert) role() string {
	if a.Level == AlertError {
		return "alert"
	}
	return "status"
}

// htmxHeaders is the hx-headers JSON that sends the CSRF token on every htmx request.
func (p Page) htmxHeaders() string {
	if p.CSRFToken == "" {
		return ""
	}
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": p.CSRFToken})
	return string(b)
}

// htmxConfig keeps htmx compatible with a strict Content-Security-Policy (no eval, no inline styles or
// scripts) and keeps patient data out of browser storage (historyCacheSize 0: back/forward re-fetches
// from the server, which answers no-store pages only to a signed-in user). Error responses are swapped
// too: the server sends them with HX-Retarget to the alerts region, so a failure is always visible.
const htmxConfig = `{"allowEval":false,"allowScriptTags":false,"includeIndicatorStyles":false,` +
	`"historyCacheSize":0,"refreshOnHistoryMiss":true,"selfRequestsOnly":true,"scrollIntoViewOnBoost":false,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}]}`
