// Package sandbox is an embedded, strict imitation of Epic's FHIR R4 server and its SMART Backend
// Services token endpoint, served over real HTTP.
//
// It is Chartside's default upstream when no Epic is configured, it backs the tests and benchmarks of
// the epic client, and it runs standalone as `web sandbox`. It is deliberately strict: everything
// Epic rejects, it rejects, with the same status codes and bodies (bare invalid_client on the token
// endpoint, OperationOutcome 400s, XML when Accept is not JSON), so code that works here works against
// Epic. The precise reason for each rejection goes to the configured logger, never to the client,
// again like Epic. Shapes follow the real captures in captures/ (see shared/EPIC.md).
//
// The package imports only epic/fhir from Chartside, never the epic client: the client is tested
// against this package and the dependency must point one way.
package sandbox
