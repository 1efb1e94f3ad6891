package present

import (
	"strings"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/views"
)

// Epic message numbers Chartside explains in words.
const (
	epicNoResults  = "4101"
	epicSuppressed = "59204"
)

// Warnings turns the warnings of an Epic search into section alerts, in words a clinician can act
// on. "No results" is not a warning (an empty table already says so); suppressed results and
// truncated paging are, because the chart is then incomplete in a way the page would not otherwise show.
func Warnings(ws []epic.Warning) []views.Alert {
	var out []views.Alert
	seen := map[string]bool{}
	for _, w := range ws {
		var a views.Alert
		switch {
		case w.Code == epicNoResults:
			continue
		case w.Code == epicSuppressed:
			// 59204 says a kind of record is excluded from the search, not that the patient has
			// any: Epic sends it on every search that covers a kind Chartside may not see (in the
			// captures, beside "no results" too). Its text names the kind ("Outside Record Results",
			// "Outside Record Vital Signs"), which tells one section's note from another's.
			a = views.Alert{Level: views.AlertWarning,
				Title:  "This may not be the complete record: Epic leaves out a kind of record Chartside is not authorised to see.",
				Detail: withEpicText(w.Text, "Check Epic directly for the complete record.")}
		case w.Code == epic.WarningCodeTruncated:
			a = views.Alert{Level: views.AlertWarning,
				Title:  "Not every result was loaded.",
				Detail: w.Text}
		case w.Severity == "fatal" || w.Severity == "error":
			a = views.Alert{Level: views.AlertError, Title: "Epic reported a problem with this search.", Detail: w.Text}
		case w.Severity == "information":
			a = views.Alert{Level: views.AlertInfo, Title: "Note from Epic", Detail: w.Text}
		default:
			a = views.Alert{Level: views.AlertWarning, Title: "Warning from Epic", Detail: w.Text}
		}
		key := string(a.Level) + a.Title + a.Detail
		if !seen[key] {
			seen[key] = true
			out = append(out, a)
		}
	}
	return out
}

// withEpicText puts Epic's words, quoted as sent, before Chartside's advice.
func withEpicText(text, advice string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return advice
	}
	return "Epic: “" + text + "” " + advice
}
