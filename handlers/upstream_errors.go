package handlers

import "github.com/chartside/chartside/views"

// upstreamErrorView describes failures of Chartside's upstream (Epic). It is filled in with the epic
// client's typed errors.
func upstreamErrorView(err error) (views.ErrorView, bool) {
	return views.ErrorView{}, false
}
