package epic

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// EncounterQuery narrows an Encounter search. Zero values mean "no limit" / "configured default".
type EncounterQuery struct {
	From, To time.Time // encounter date range, inclusive, by calendar day in each time's zone
	Count    int       // _count page size (Epic: 1-1000); 0 leaves Epic's default
	MaxPages int       // page cap for this search; 0 uses Config.MaxPages
}

// SearchEncounters lists a patient's encounters: GET Encounter?patient={id}[&date=ge..&date=le..].
func (c *Client) SearchEncounters(ctx context.Context, patientID string, q EncounterQuery) (Result[fhir.Encounter], error) {
	if err := checkPatientID(OpEncounterSearch, patientID); err != nil {
		return Result[fhir.Encounter]{}, err
	}
	params := url.Values{"patient": {patientID}}
	addDateRange(params, q.From, q.To)
	addCount(params, q.Count)
	return search[fhir.Encounter](ctx, c, OpEncounterSearch, "Encounter", c.searchURL("Encounter", params), c.pages(q.MaxPages))
}

// addDateRange adds date=geYYYY-MM-DD / date=leYYYY-MM-DD. Days, not instants: Epic reads a
// zoneless value in the server's local time, and a whole-day range can only widen the results.
func addDateRange(params url.Values, from, to time.Time) {
	if !from.IsZero() {
		params.Add("date", "ge"+from.Format(time.DateOnly))
	}
	if !to.IsZero() {
		params.Add("date", "le"+to.Format(time.DateOnly))
	}
}

func addCount(params url.Values, n int) {
	if n > 0 {
		params.Set("_count", strconv.Itoa(min(n, 1000)))
	}
}
