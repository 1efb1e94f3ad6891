package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is every setting Chartside reads, parsed once from the environment and validated. A bad
// value stops start-up with one line naming the variable, the problem and the fix.
type Config struct {
	ListenAddr string
	DataDir    string
	PublicURL  *url.URL // nil when unset

	Epic    EpicConfig
	Sandbox SandboxConfig // used when Epic.FHIRBaseURL is empty
	// SandboxShared is SANDBOX=true: run the embedded sandbox even though DATABASE_URL or
	// SESSION_STORE is set (see sandboxOnSharedStore).
	SandboxShared bool
	// OpenKeyFiles are the EPIC_PRIVATE_KEY_FILE files every account on the host may read.
	OpenKeyFiles []string

	DatabaseURL     string // "" = embedded SQLite in DataDir
	SessionStore    string // "" = the database; redis://… = Redis
	IdleTimeout     time.Duration
	SessionLifetime time.Duration
	Kiosk           bool
	TrustedProxies  []netip.Prefix

	TimeZone         *time.Location
	TimeZoneFromHost bool // TIMEZONE unset (or Local): the host's zone, UTC in most containers
	MRNPattern       *regexp.Regexp
	VitalsStaleAfter time.Duration

	LogLevel  slog.Level
	LogFormat string // json or text
}

// EpicConfig is how Chartside reaches Epic.
type EpicConfig struct {
	FHIRBaseURL     string
	TokenURL        string // "" = discovered from the FHIR base
	ClientID        string
	PrivateKeyFiles []string // the last one signs; all are published
	JWKSURL         string
	MRNSystem       string
	Scope           string
	Timeout         time.Duration
	MaxPages        int
}

// SandboxConfig tunes the embedded Epic sandbox used when no Epic is configured.
type SandboxConfig struct {
	DataDir  string // FHIR bundles to load instead of generated patients
	Seed     int64
	Patients int
	Latency  time.Duration
}

// SandboxMode reports whether Chartside runs against its embedded Epic sandbox.
func (c Config) SandboxMode() bool { return c.Epic.FHIRBaseURL == "" }

// Secure reports whether Chartside is reached over HTTPS (directly or via a TLS-terminating proxy).
func (c Config) Secure() bool { return c.PublicURL != nil && c.PublicURL.Scheme == "https" }

// warnings are settings that work but that a real deployment should not keep, logged at start-up.
// Sandbox mode has none: it is a local demo.
func (c Config) warnings() []string {
	if c.SandboxMode() {
		return nil
	}
	var w []string
	if !c.Secure() {
		what := "PUBLIC_URL is not set"
		if c.PublicURL != nil {
			what = "PUBLIC_URL is not https"
		}
		w = append(w, what+": the session cookie lacks the Secure flag and no HSTS header is sent, so a browser may send a signed-in session over plain HTTP; set PUBLIC_URL to the https address staff use")
	}
	if c.Epic.JWKSURL == "" {
		w = append(w, "no JWK Set URL: Epic requires backend apps to publish their public keys at one (registered with the app), and token requests carry no jku; set PUBLIC_URL (Chartside serves /.well-known/jwks.json) or EPIC_JWKS_URL")
	}
	if len(c.OpenKeyFiles) > 0 {
		// Not refused: in a container the only account is Chartside's, and Kubernetes mounts
		// secrets 0644 unless told otherwise. On a shared host it is the key to every chart.
		w = append(w, "EPIC_PRIVATE_KEY_FILE "+strings.Join(c.OpenKeyFiles, ", ")+" can be read by every account on this host, and whoever reads the key can sign in to Epic as Chartside and read any patient's chart; let only the account Chartside runs as read it (chown that account FILE && chmod 600 FILE; in Kubernetes, defaultMode: 0400 on the secret volume)")
	}
	if c.TimeZoneFromHost && alwaysUTC(c.TimeZone) {
		// Chart times carry no zone, so a clinic outside UTC would read every vital sign, result
		// and visit hours off, with nothing on the page to say so.
		w = append(w, "TIMEZONE is not set and this host's time zone is UTC (as in most containers): chart dates and times are shown in UTC, with no zone beside them; set TIMEZONE to the clinic's IANA time zone (e.g. America/Chicago), or to UTC if that is meant")
	}
	return w
}

// alwaysUTC reports whether loc is UTC all year (no offset in January or in July).
func alwaysUTC(loc *time.Location) bool {
	year := time.Now().Year()
	for _, month := range []time.Month{time.January, time.July} {
		if _, offset := time.Date(year, month, 1, 12, 0, 0, 0, loc).Zone(); offset != 0 {
			return false
		}
	}
	return true
}

// sandboxOnSharedStore refuses to serve on the embedded sandbox with a database or session store
// that other Chartside processes may share, unless SANDBOX=true says it is meant. A replica of a
// real deployment whose EPIC_ settings went missing would otherwise start quietly on synthetic
// patients: behind a balancer it would answer staff signed in on the other replicas (their
// sessions are in the shared store) with synthetic charts for real MRNs, and write those views to
// the deployment's audit trail. Only `web serve` asks: the staff and audit commands need no Epic.
func sandboxOnSharedStore(c Config) error {
	if !c.SandboxMode() || c.SandboxShared {
		return nil
	}
	var shared, store string
	switch {
	case c.DatabaseURL != "":
		shared, store = "DATABASE_URL", "database"
	case c.SessionStore != "":
		shared, store = "SESSION_STORE", "session store"
	default:
		return nil
	}
	return &ConfigError{
		Var:     "EPIC_FHIR_BASE_URL",
		Problem: "is not set, so Chartside would run on its embedded sandbox of synthetic patients, but " + shared + " is set, as for a real deployment",
		Fix:     "set the EPIC_ settings to connect to Epic, or set SANDBOX=true to run the sandbox on that " + store + " on purpose (a demo or training install)",
	}
}

// ConfigError names the variable at fault, what is wrong and how to fix it.
type ConfigError struct {
	Var, Problem, Fix string
}

func (e *ConfigError) Error() string {
	// One line: a wrapped error (pgx's lists each address it tried on its own line) must not
	// break the message up in a log collector.
	return fmt.Sprintf("config: %s %s; %s", e.Var, strings.Join(strings.Fields(e.Problem), " "), e.Fix)
}

// secretVars may instead be given as VAR_FILE, naming a file that holds the value (Docker/Kubernetes
// secrets), so the value never appears in the process environment.
var secretVars = map[string]bool{"DATABASE_URL": true, "SESSION_STORE": true, "EPIC_CLIENT_ID": true}

// env reads variables and remembers the first error, so parsing reads as a list of settings.
type env struct {
	getenv func(string) string
	err    error
}

func (e *env) fail(name, problem, fix string) {
	if e.err == nil {
		e.err = &ConfigError{Var: name, Problem: problem, Fix: fix}
	}
}

func (e *env) str(name, def string) string {
	v := strings.TrimSpace(e.getenv(name))
	if secretVars[name] {
		if path := strings.TrimSpace(e.getenv(name + "_FILE")); path != "" {
			if v != "" {
				e.fail(name, "and "+name+"_FILE are both set", "set only one of them")
				return def
			}
			b, err := os.ReadFile(path)
			if err != nil {
				e.fail(name+"_FILE", fmt.Sprintf("names %q, which cannot be read (%v)", path, unwrapPathError(err)), "point it at a readable file")
				return def
			}
			v = strings.TrimSpace(string(b))
		}
	}
	if v == "" {
		return def
	}
	return v
}

func (e *env) duration(name string, def time.Duration) time.Duration {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		e.fail(name, fmt.Sprintf("is %q, not a positive duration", v), "use a value like 90s, 15m or 12h")
		return def
	}
	return d
}

func (e *env) boolean(name string, def bool) bool {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(name, fmt.Sprintf("is %q, not true or false", v), "use true or false")
		return def
	}
	return b
}

func (e *env) integer(name string, def, min, max int) int {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		e.fail(name, fmt.Sprintf("is %q, not a whole number from %d to %d", v, min, max), fmt.Sprintf("use a number from %d to %d", min, max))
		return def
	}
	return n
}

// url reads an absolute http(s) URL; example is what the fix suggests instead of a malformed one,
// so it must follow the variable's own rules (PUBLIC_URL takes no path).
func (e *env) url(name string, require bool, example string) string {
	v := e.str(name, "")
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		e.fail(name, fmt.Sprintf("is %q, not an absolute http(s) URL", v), "use a URL like "+example)
		return ""
	}
	if require && u.Scheme != "https" && !isLoopbackHost(u.Hostname()) {
		e.fail(name, fmt.Sprintf("is %q, which is not https", v), "Epic traffic carries patient data and tokens: use https (plain http is allowed only for loopback test servers)")
		return ""
	}
	return strings.TrimRight(v, "/")
}

// loadConfig parses and validates the environment.
func loadConfig(getenv func(string) string) (Config, error) {
	e := &env{getenv: getenv}
	var c Config

	c.ListenAddr = e.str("LISTEN_ADDR", "127.0.0.1:8080")
	if _, port, err := net.SplitHostPort(c.ListenAddr); err != nil {
		e.fail("LISTEN_ADDR", fmt.Sprintf("is %q, not a host:port address", c.ListenAddr), "use a value like 127.0.0.1:8080 or :8080")
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		e.fail("LISTEN_ADDR", fmt.Sprintf("has port %q, which is not 0-65535", port), "use a value like 127.0.0.1:8080 or :8080")
	}
	c.DataDir = e.str("DATA_DIR", "./data")
	if pu := e.url("PUBLIC_URL", false, "https://chartside.hospital.org, scheme and host[:port] only"); pu != "" {
		c.PublicURL, _ = url.Parse(pu)
		if (c.PublicURL.Path != "" && c.PublicURL.Path != "/") || c.PublicURL.RawQuery != "" || c.PublicURL.Fragment != "" {
			e.fail("PUBLIC_URL", fmt.Sprintf("is %q, which has a path, query or fragment", pu), "Chartside is served at the root of its host: use scheme://host[:port] only")
		}
	}

	c.Epic.FHIRBaseURL = e.url("EPIC_FHIR_BASE_URL", true, "https://host/path")
	c.Epic.TokenURL = e.url("EPIC_TOKEN_URL", true, "https://host/path")
	c.Epic.ClientID = e.str("EPIC_CLIENT_ID", "")
	for _, p := range strings.Split(e.str("EPIC_PRIVATE_KEY_FILE", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if st, err := os.Stat(p); err != nil {
			e.fail("EPIC_PRIVATE_KEY_FILE", fmt.Sprintf("names %q, which cannot be read (%v)", p, unwrapPathError(err)), "point it at the PEM private key registered with Epic (comma-separate several for rotation; the last one signs)")
		} else if st.IsDir() {
			e.fail("EPIC_PRIVATE_KEY_FILE", fmt.Sprintf("names %q, which is a directory", p), "point it at a PEM private key file")
		} else if st.Mode().Perm()&0o004 != 0 {
			c.OpenKeyFiles = append(c.OpenKeyFiles, fmt.Sprintf("%q (mode %04o)", p, st.Mode().Perm()))
		}
		c.Epic.PrivateKeyFiles = append(c.Epic.PrivateKeyFiles, p)
	}
	c.Epic.JWKSURL = e.url("EPIC_JWKS_URL", false, "https://host/path")
	jwksVar := "EPIC_JWKS_URL"
	if c.Epic.JWKSURL == "" && c.PublicURL != nil {
		c.Epic.JWKSURL = strings.TrimRight(c.PublicURL.String(), "/") + "/.well-known/jwks.json"
		jwksVar = "PUBLIC_URL"
	}
	if u, err := url.Parse(c.Epic.JWKSURL); c.Epic.FHIRBaseURL != "" && err == nil && u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		e.fail(jwksVar, fmt.Sprintf("gives the JWK Set URL %q, which is not https", c.Epic.JWKSURL), "Epic fetches the public keys only over https: set PUBLIC_URL to Chartside's https address, or EPIC_JWKS_URL to an https URL that serves the keys")
	}
	c.Epic.MRNSystem = e.str("EPIC_MRN_SYSTEM", "")
	if strings.ContainsAny(c.Epic.MRNSystem, "|, ") {
		e.fail("EPIC_MRN_SYSTEM", fmt.Sprintf("is %q, which contains '|', ',' or a space", c.Epic.MRNSystem), "use the MRN identifier system (urn:oid:…) or the Epic ID type (e.g. MRN) alone")
	}
	c.Epic.Scope = e.str("EPIC_SCOPE", "")
	c.Epic.Timeout = e.duration("EPIC_TIMEOUT", 10*time.Second)
	c.Epic.MaxPages = e.integer("EPIC_MAX_PAGES", 10, 1, 100)
	if !c.SandboxMode() {
		if c.Epic.ClientID == "" {
			e.fail("EPIC_CLIENT_ID", "is not set but EPIC_FHIR_BASE_URL is", "set it to the client ID of the backend app registered with Epic (the non-production ID for a test environment)")
		}
		if len(c.Epic.PrivateKeyFiles) == 0 {
			e.fail("EPIC_PRIVATE_KEY_FILE", "is not set but EPIC_FHIR_BASE_URL is", "create a key with `web keygen --out FILE` and register its JWK Set URL with Epic")
		}
		if c.Epic.MRNSystem == "" {
			e.fail("EPIC_MRN_SYSTEM", "is not set but EPIC_FHIR_BASE_URL is", "ask the Epic analysts for the MRN identifier system (urn:oid:…) or ID type (e.g. MRN)")
		}
	}

	c.SandboxShared = e.boolean("SANDBOX", false)
	if c.SandboxShared && !c.SandboxMode() {
		e.fail("SANDBOX", "is true but EPIC_FHIR_BASE_URL is set", "unset SANDBOX to use that Epic, or unset EPIC_FHIR_BASE_URL to run on the embedded sandbox")
	}
	c.Sandbox.DataDir = e.str("SANDBOX_DATA_DIR", "")
	c.Sandbox.Seed = int64(e.integer("SANDBOX_SEED", 1, 0, 1<<31-1))
	c.Sandbox.Patients = e.integer("SANDBOX_PATIENTS", 50, 0, 100000)
	if v := e.str("SANDBOX_LATENCY", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			e.fail("SANDBOX_LATENCY", fmt.Sprintf("is %q, not a duration", v), "use a value like 50ms")
		}
		c.Sandbox.Latency = d
	}

	c.DatabaseURL = e.str("DATABASE_URL", "")
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		e.fail("DATABASE_URL", "is not a postgres:// URL", "leave it unset for the embedded SQLite database, or use postgres://user:pass@host:5432/db")
	}
	c.SessionStore = e.str("SESSION_STORE", "")
	if c.SessionStore != "" && !strings.HasPrefix(c.SessionStore, "redis://") && !strings.HasPrefix(c.SessionStore, "rediss://") {
		e.fail("SESSION_STORE", "is not a redis:// URL", "leave it unset to keep sessions in the database, or use redis://host:6379/0")
	}
	c.Kiosk = e.boolean("KIOSK", false)
	idleDefault := 15 * time.Minute
	if c.Kiosk {
		idleDefault = 3 * time.Minute
	}
	c.IdleTimeout = e.duration("IDLE_TIMEOUT", idleDefault)
	c.SessionLifetime = e.duration("SESSION_LIFETIME", 12*time.Hour)
	if c.IdleTimeout > c.SessionLifetime {
		e.fail("IDLE_TIMEOUT", fmt.Sprintf("(%v) is longer than SESSION_LIFETIME (%v)", c.IdleTimeout, c.SessionLifetime), "make IDLE_TIMEOUT shorter than SESSION_LIFETIME")
	}
	for _, p := range strings.Split(e.str("TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				e.fail("TRUSTED_PROXIES", fmt.Sprintf("has %q, not an IP address or CIDR range", p), "use a comma-separated list like 10.0.0.5,10.1.0.0/16")
				continue
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}

	tz := e.str("TIMEZONE", "Local")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		e.fail("TIMEZONE", fmt.Sprintf("is %q, not a known time zone", tz), "use an IANA name like America/Chicago")
		loc = time.Local
	}
	c.TimeZone = loc
	c.TimeZoneFromHost = tz == "Local"
	pattern := e.str("MRN_PATTERN", `^[A-Za-z0-9-]{1,20}$`)
	re, err := regexp.Compile(pattern)
	if err != nil {
		e.fail("MRN_PATTERN", fmt.Sprintf("is not a valid regular expression (%v)", err), "use a Go regular expression like ^[0-9]{6,10}$")
	} else if re.MatchString("1|2") || re.MatchString("1,2") {
		e.fail("MRN_PATTERN", "accepts '|' or ','", "Epic treats them as separators in a search: exclude them from the pattern")
	}
	c.MRNPattern = re
	c.VitalsStaleAfter = e.duration("VITALS_STALE_AFTER", 24*time.Hour)
	e.checkGOGC()

	switch lv := strings.ToLower(e.str("LOG_LEVEL", "info")); lv {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		e.fail("LOG_LEVEL", fmt.Sprintf("is %q", lv), "use debug, info, warn or error")
	}
	c.LogFormat = e.str("LOG_FORMAT", "")
	if c.LogFormat != "" && c.LogFormat != "json" && c.LogFormat != "text" {
		e.fail("LOG_FORMAT", fmt.Sprintf("is %q", c.LogFormat), "use json or text (unset: text on a terminal, json otherwise)")
	}
	return c, e.err
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// unwrapPathError drops the path from *fs.PathError, which the message already names.
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
