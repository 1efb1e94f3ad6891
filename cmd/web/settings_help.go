package main

// serveUsage is `web serve --help`: the settings an IT engineer deploys with, their defaults and
// what they mean, as README.md "Configuration" lists them. TestServeHelpListsEverySetting fails
// when loadConfig or the collector settings read a variable this text does not name, or this text
// names one they do not read.
const serveUsage = `usage: web [serve]

Starts the dashboard. It takes no arguments: every setting is an environment variable, read once
at start-up. A bad value stops start-up with one line naming the variable, the problem and the fix.
Settings marked (secret) may instead be given as NAME_FILE, a path to a file holding the value.
With EPIC_FHIR_BASE_URL unset, Chartside runs on its embedded Epic sandbox.

Server
  LISTEN_ADDR            address to serve HTTP on (default 127.0.0.1:8080)
  DATA_DIR               embedded database and sandbox signing key (default ./data)
  PUBLIC_URL             the URL staff use, scheme and host only, e.g.
                         https://chartside.hospital.org; https turns on secure cookies and HSTS
  TRUSTED_PROXIES        IPs/CIDRs whose X-Forwarded-For is believed, comma-separated
  TIMEZONE               clinic time zone for display, an IANA name such as America/Chicago
                         (default: the host's zone, UTC in most containers)
  LOG_LEVEL              debug, info, warn or error (default info)
  LOG_FORMAT             json or text (default: text on a terminal, json otherwise)

Epic (SMART Backend Services)
  EPIC_FHIR_BASE_URL     Epic FHIR R4 base URL (unset: embedded sandbox)
  EPIC_TOKEN_URL         token endpoint (default: read from {base}/.well-known/smart-configuration)
  EPIC_CLIENT_ID         backend app client ID (secret)
  EPIC_PRIVATE_KEY_FILE  PEM private key(s), comma-separated for rotation: the last one signs,
                         all are published (create one with: web keygen --out FILE)
  EPIC_JWKS_URL          JWK Set URL registered with Epic, https (default
                         PUBLIC_URL/.well-known/jwks.json)
  EPIC_MRN_SYSTEM        MRN identifier system (urn:oid:…) or Epic ID type (e.g. MRN)
  EPIC_SCOPE             optional scope sent with the token request
  EPIC_TIMEOUT           per-request timeout to Epic (default 10s)
  EPIC_MAX_PAGES         cap on next pages followed per search, 1-100 (default 10)
  MRN_PATTERN            what an MRN may look like, a Go regular expression
                         (default ^[A-Za-z0-9-]{1,20}$)
  VITALS_STALE_AFTER     warn when the latest vitals are older than this (default 24h)

Storage and sessions
  DATABASE_URL           postgres://… for accounts, sessions and audit (secret; default: SQLite
                         in DATA_DIR)
  SESSION_STORE          redis://… for sessions (secret; default: the database)
  KIOSK                  true on shared workstations: short idle timeout, sign-out countdown
                         (default false)
  IDLE_TIMEOUT           sign-out after this long without activity (default 15m, 3m with KIOSK)
  SESSION_LIFETIME       absolute session lifetime (default 12h)

Sandbox mode only
  SANDBOX                true to run the sandbox although DATABASE_URL or SESSION_STORE is set
                         (a demo or training install; without it such a start is refused)
  SANDBOX_DATA_DIR       load FHIR R4 bundles (e.g. Synthea) instead of generated patients
  SANDBOX_SEED           generated population's seed (default 1)
  SANDBOX_PATIENTS       generated population's size (default 50)
  SANDBOX_LATENCY        added latency per upstream request, e.g. 50ms (default 0)

Go runtime
  GOMEMLIMIT             soft memory limit (default 110MiB; none in sandbox mode)
  GOGC                   heap growth between collections, a whole number or off (default 400;
                         100 in sandbox mode)

Check the chain to Epic with: web check. More in README.md.
`

// checkUsage is `web check --help`.
const checkUsage = `usage: web check [--mrn MRN]

Walks the whole chain to the configured Epic — signing key, discovery, token, one harmless search —
printing each step and, on a failure, the likely fix. It prints no patient data. It reads the same
environment variables as web serve (see web serve --help); with EPIC_FHIR_BASE_URL unset it checks
the embedded sandbox.

  --mrn MRN   also search a known test patient's MRN and say how many patients it finds (never
              who): the harmless search matches no one whatever EPIC_MRN_SYSTEM says, so only a
              real MRN shows that EPIC_MRN_SYSTEM is the hospital's
`

// healthcheckUsage is `web healthcheck --help`.
const healthcheckUsage = `usage: web healthcheck

Exits 0 and prints "ok" when the server at LISTEN_ADDR (default 127.0.0.1:8080) answers /healthz;
the container's HEALTHCHECK runs it.
`
