package sandbox

// Listing is a patient a new user can try: what to type, who it is, and why it is interesting. No
// real person is listed; all sandbox data is synthetic or Epic's public test data.
type Listing struct {
	MRN     string
	Name    string
	Summary string
}

// Directory returns the patients worth trying, in a stable order: Epic's test patients first, then
// the edge cases, then a few generated patients. The sandbox sign-in page shows it.
func (s *Sandbox) Directory() []Listing {
	out := make([]Listing, len(s.data.directory))
	copy(out, s.data.directory)
	return out
}
