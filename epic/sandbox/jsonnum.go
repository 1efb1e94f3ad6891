package sandbox

import "github.com/chartside/chartside/epic/fhir"

func jsonNumber(s string) fhir.Decimal { return fhir.Decimal(s) }
