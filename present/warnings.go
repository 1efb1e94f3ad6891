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
//
// Suppressed results (59204) make one compact note, whatever the number of kinds left out: Epic
// sends it on nearly every search, so as a full box per kind it filled a phone's screen (two in
// an encounter's details, vitals and results) and taught staff to skip the boxes the stale-vitals
// notice shares a colour with. The note's one line says the record may be incomplete and why;
// Epic's words for each kind are in its detail.
func Warnings(ws []epic.Warning) []views.Alert {
	var out []views.Alert
	seen := map[string]bool{}
	suppressed := -1 // index in out of the one suppressed-records note
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
			text := strings.TrimSpace(w.Text)
			if seen[epicSuppressed+text] {
				continue
			}
			seen[epicSuppressed+text] = true
			if suppressed < 0 {
				suppressed = len(out)
				out = append(out, views.Alert{Level: views.AlertWarning, Compact: true,
					Title:  suppressedTitle(text),
					Detail: "Epic leaves out records Chartside is not authorised to see. " + withEpicText(text, suppressedAdvice)})
				continue
			}
			n := &out[suppressed]
			if !strings.Contains(strings.ToLower(text), "outside record") {
				n.Title = suppressedTitle(text)
			}
			if text != "" {
				n.Detail = strings.TrimSuffix(n.Detail, suppressedAdvice) + "“" + text + "” " + suppressedAdvice
			}
			continue
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

const suppressedAdvice = "Check Epic directly for the complete record."

// suppressedTitle is the one line of a suppressed-records note. Epic's "Outside Record" kinds are
// records from other organisations (Care Everywhere); the line says so where Epic's text does,
// short enough for one line on a phone.
func suppressedTitle(text string) string {
	if strings.Contains(strings.ToLower(text), "outside record") {
		return "May be incomplete: outside records not shown"
	}
	return "May be incomplete: some records not shown"
}

// withEpicText puts Epic's words, quoted as sent, before Chartside's advice.
func withEpicText(text, advice string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return advice
	}
	return "Epic: “" + text + "” " + advice
}
