package audit

// ChainHash exposes the chain hash to tests that play an attacker who knows
// the algorithm.
var ChainHash = chainHash

// Commits reports how many batch transactions l has committed, so tests can
// tell that concurrent records shared transactions.
func (l *Log) Commits() int64 { return l.commits.Load() }

// QueueState reports how many Record calls wait for a batch and whether a
// caller holds the writer role, so tests can act once callers are known to be
// queued or their batch known to be taken.
func (l *Log) QueueState() (queued int, writing bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue), l.writing
}
