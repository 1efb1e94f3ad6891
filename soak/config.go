package soak

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Config is one soak run.
type Config struct {
	// Web is the path of the `web` binary to run as the server under test.
	Web string
	// Dir holds the server's data directory, signing key and log; it must exist.
	Dir string
	// Clients is the number of concurrent signed-in clients.
	Clients int
	// Duration bounds the run in time; MaxIterations (per client, 0: no limit) bounds it in count.
	Duration      time.Duration
	MaxIterations int
	// Think is the mean pause between a client's iterations (uniform in [0, 2×Think]).
	Think time.Duration
	// Latency is added by the sandbox to every upstream request.
	Latency time.Duration
	// FailRate is the fraction of Observation searches answered with an injected Epic failure.
	FailRate float64
	// Patients is the size of the sandbox's generated population (MRNs 300001 upward).
	Patients int
	// SampleEvery is the interval of the server's RSS/goroutine samples.
	SampleEvery time.Duration
	// DatabaseURL, when set, is the server's DATABASE_URL (PostgreSQL); the audit trail is read
	// from it afterwards. Empty: the server's embedded SQLite in Dir.
	DatabaseURL string
	// Seed makes the clients' choices repeatable.
	Seed uint64
	// Progress receives one line per sample while the run lasts (nil: none).
	Progress io.Writer
	// ServerLog receives the server's stderr (nil: a file in Dir).
	ServerLog io.Writer
}

// DefaultConfig is the soak of issue 8: 200 clients for three minutes.
func DefaultConfig() Config {
	return Config{
		Clients:     200,
		Duration:    3 * time.Minute,
		Think:       500 * time.Millisecond,
		Latency:     30 * time.Millisecond,
		FailRate:    0.01,
		Patients:    50,
		SampleEvery: 10 * time.Second,
		Seed:        1,
	}
}

func (c Config) validate() error {
	switch {
	case c.Web == "":
		return errors.New("soak: the web binary is required")
	case c.Dir == "":
		return errors.New("soak: a working directory is required")
	case c.Clients < 1 || c.Clients > 5000:
		return fmt.Errorf("soak: clients %d: want 1 to 5000", c.Clients)
	case c.Duration <= 0 && c.MaxIterations <= 0:
		return errors.New("soak: bound the run with a duration or a maximum number of iterations")
	case c.FailRate < 0 || c.FailRate > 0.5:
		return fmt.Errorf("soak: fail rate %v: want 0 to 0.5", c.FailRate)
	case c.Patients < 1:
		return fmt.Errorf("soak: patients %d: want at least 1", c.Patients)
	case c.SampleEvery <= 0:
		return errors.New("soak: sample interval must be positive")
	}
	return nil
}
