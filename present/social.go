package present

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// SocialItemKey identifies the social-history item an observation records a value of (smoking
// status, alcohol use...): its code ("system|code", see AnalyteCode), else a digest of its name,
// so an item without a code can be asked for by URL without putting free text into it.
func SocialItemKey(o fhir.Observation) string {
	if code := AnalyteCode(o.Code); code != "" {
		return code
	}
	sum := sha256.Sum256([]byte(o.Code.Label()))
	return "name:" + hex.EncodeToString(sum[:8])
}

// SocialHistory groups social-history observations by item (SocialItemKey) and shows each item's
// latest value; the earlier values are counted, and listed when expand(key) says so (nil: none).
// Items are ordered by their latest value, newest first. historyURL gives the URL that lists an
// item's earlier values (nil: no control). Every observation is either an item's latest value,
// listed, or counted: none is dropped.
func SocialHistory(obs []fhir.Observation, expand func(key string) bool, loc *time.Location, historyURL func(key string) string) []views.SocialItem {
	var keys []string
	byKey := map[string][]fhir.Observation{}
	for _, o := range sortNewestFirst(obs) {
		k := SocialItemKey(o)
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], o)
	}
	// keys are in the order of each item's newest value (obs was sorted); an item whose newest value
	// was entered in error moves back to where its latest valid value belongs.
	sort.SliceStable(keys, func(i, j int) bool {
		a := when(byKey[keys[i]][latestValid(byKey[keys[i]])])
		b := when(byKey[keys[j]][latestValid(byKey[keys[j]])])
		return newestFirst(!a.IsZero(), a.Time(), !b.IsZero(), b.Time()) < 0
	})
	items := make([]views.SocialItem, 0, len(keys))
	for _, k := range keys {
		items = append(items, socialItem(byKey[k], expand != nil && expand(k), loc, k, historyURL))
	}
	return items
}

// latestValid is the index of the newest observation (obs is newest first) that was not entered in
// error or cancelled, as in the vitals strip; 0 when there is none, so such a value is still shown.
func latestValid(obs []fhir.Observation) int {
	for i, o := range obs {
		if o.Status != "entered-in-error" && o.Status != "cancelled" {
			return i
		}
	}
	return 0
}

// SocialItemHistory is one item (by SocialItemKey) with every earlier value listed; false when no
// observation is of that item.
func SocialItemHistory(obs []fhir.Observation, key string, loc *time.Location) (views.SocialItem, bool) {
	var mine []fhir.Observation
	for _, o := range obs {
		if SocialItemKey(o) == key {
			mine = append(mine, o)
		}
	}
	if len(mine) == 0 {
		return views.SocialItem{}, false
	}
	return socialItem(sortNewestFirst(mine), true, loc, key, nil), true
}

// socialItem builds an item from its observations, newest first: the latest valid value, and the
// others (a newer entered-in-error one included, marked) newest first.
func socialItem(obs []fhir.Observation, expand bool, loc *time.Location, key string, historyURL func(string) string) views.SocialItem {
	latest := latestValid(obs)
	it := views.SocialItem{
		Latest:       ObservationRow(obs[latest], loc, Links{}),
		EarlierCount: len(obs) - 1,
	}
	switch {
	case it.EarlierCount == 0:
		it.EarlierLabel = "None"
	case expand:
		it.EarlierLabel = count(it.EarlierCount) + " earlier, listed below"
		it.Earlier = make([]views.ObsRow, 0, it.EarlierCount)
		for i := range obs { // by index: an Observation is too large to copy for every value
			if i != latest {
				it.Earlier = append(it.Earlier, ObservationRow(obs[i], loc, Links{}))
			}
		}
	case historyURL != nil:
		it.EarlierLabel = "History (" + count(it.EarlierCount) + ")"
		it.HistoryURL = historyURL(key)
	default:
		it.EarlierLabel = count(it.EarlierCount) + " earlier"
	}
	return it
}
