// Package views holds Chartside's templ components. Components take plain view-model structs whose
// strings are already formatted and whose flags are already decided: views never import epic,
// sessions, echo or the validator, never call time.Now, and make no formatting decisions.
//
// One .templ file per page, holding the page and the fragments htmx asks for; the shared chrome is in
// layout.templ. Fragment ids are constants here so that id= and hx-target= cannot drift apart.
package views
