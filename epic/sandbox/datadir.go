package sandbox

// LoadReport says what loading Options.DataDir did: how many bundles and resources were mapped into
// Epic's shapes and what was skipped, with reasons (resource types the sandbox does not serve,
// unreadable files, references to unknown patients).
type LoadReport struct {
	Files    int
	Patients int
	Mapped   map[string]int // resource type → count served
	Skipped  map[string]int // reason → count
}
