package audit

// ChainHash exposes the chain hash to tests that play an attacker who knows
// the algorithm.
var ChainHash = chainHash
