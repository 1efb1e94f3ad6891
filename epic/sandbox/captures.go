package sandbox

import (
	"embed"
	"fmt"
)

// captured holds the real Epic responses the sandbox is built from (see captures/README.md). They
// are read-only inputs: discovery documents are served from them with the host rewritten, and
// Epic's test patients are loaded from them.
//
//go:embed captures/*.json captures/docs/*.json
var captured embed.FS

// epicOrigin is the origin written in the captures, replaced by the sandbox's own.
const epicOrigin = "https://fhir.epic.com"

func readCapture(name string) ([]byte, error) {
	b, err := captured.ReadFile("captures/" + name)
	if err != nil {
		return nil, fmt.Errorf("sandbox: capture %s: %w", name, err)
	}
	return b, nil
}
