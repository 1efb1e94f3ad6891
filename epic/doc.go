// Package epic is Chartside's client for Epic on FHIR R4.
//
// It authenticates with SMART Backend Services as Epic implements it (a client assertion JWT
// signed with the configured key, exchanged for a bearer token that is cached and refreshed one
// at a time), publishes the public keys as a JWK Set, and runs the FHIR searches the dashboard
// needs (Patient by MRN, Patient read, Encounters and Observations by patient) with paging,
// OperationOutcome warnings, retries, a circuit breaker per resource type and typed errors.
//
// It knows nothing of HTTP handlers, sessions or templates. Nothing it logs or puts in an error
// message contains patient data, tokens, assertions or keys: URLs are never quoted (they carry
// MRNs and patient IDs), and Epic's free-text diagnostics stay out of error strings.
//
// See shared/EPIC.md for the Epic behaviour each choice follows.
package epic
