# Chartside. `make run` starts the dashboard on the embedded Epic sandbox; `make test` runs every test.
GO      ?= go
BIN     := bin/web
HTMX    := static/vendor/htmx.min.js
NODE_OK := node_modules/.package-lock.json

.PHONY: run test fuzz-short vuln test-cluster build check generate bench soak docker clean

# Front-end packages come from the npm registry at the versions pinned in package-lock.json.
$(NODE_OK): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# htmx is copied into static/ and embedded in the binary: no CDN on a hospital network.
$(HTMX): $(NODE_OK)
	cp node_modules/htmx.org/dist/htmx.min.js $@

generate:
	$(GO) tool templ generate

build: $(HTMX)
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/web

run: build
	./$(BIN) serve

test: $(HTMX)
	$(GO) test -count=1 -timeout 9m ./...
	$(MAKE) --no-print-directory fuzz-short

# A few seconds of coverage-guided fuzzing per target on top of the committed seed corpora
# (testdata/fuzz/, which plain go test already runs). Budgets are execution counts (about two
# seconds each here), not durations: with a duration, Go 1.26's fuzz coordinator can report a bare
# "context deadline exceeded" failure at the deadline on a loaded machine (golang/go#75804, fixed in
# Go 1.27). Longer: make fuzz-short FUZZTIME=10m (or 1000000x) for every target.
# A failure writes the crashing input to the package's testdata/fuzz/ — commit it with the fix.
FUZZTIME ?=
FUZZ_TARGETS := ./epic/fhir:FuzzParseDateTime:20000x ./epic/fhir:FuzzDecodeBundle:10000x \
	./epic/fhir:FuzzPeekResourceType:50000x ./epic/fhir:FuzzDecodeObservation:10000x \
	./present:FuzzPresentObservations:10000x ./present:FuzzPresentPatient:5000x ./present:FuzzPresentEncounter:5000x \
	./handlers:FuzzMRNValidator:20000x ./handlers:FuzzSafeNext:4000x ./handlers:FuzzLookupHandler:600x \
	./sessions:FuzzSessionAndCSRF:700x
fuzz-short:
	@set -e; log=$$(mktemp); trap 'rm -f "$$log"' EXIT; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; budget=$(if $(FUZZTIME),$(FUZZTIME),$${rest#*:}); \
		echo "fuzz $$name ($$budget)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime "$$budget" "$$pkg" > "$$log" 2>&1 || { cat "$$log"; exit 1; }; \
	done

# Known vulnerabilities in the code paths Chartside reaches, by govulncheck from the module proxy at
# a fixed version (not a go.mod tool: its dependencies would join Chartside's module graph). It
# needs the vulnerability database at vuln.go.dev.
GOVULNCHECK ?= golang.org/x/vuln/cmd/govulncheck@v1.9.0
vuln:
	$(GO) run $(GOVULNCHECK) ./...

# Three replicas behind HAProxy on the machine's PostgreSQL and Redis (deploy/README.md).
test-cluster: $(HTMX)
	deploy/test-cluster.sh

# Fails when generated templ code is stale or gofmt / go vet complain.
check: $(HTMX)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) tool templ generate
	@git diff --quiet -- '*_templ.go' || { echo "generated templ files are stale: run make generate and commit"; git diff --stat -- '*_templ.go'; exit 1; }
	@test -z "$$(git ls-files --others --exclude-standard -- '*_templ.go')" || { echo "uncommitted generated templ files:"; git ls-files --others --exclude-standard -- '*_templ.go'; exit 1; }

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./$(BIN) bench $(BENCH_FLAGS)

# Soak (not in make test): 200 signed-in clients for 3 minutes against `web serve` and the sandbox with latency and injected failures.
soak: build
	$(GO) run ./soak/cmd/soak -web ./$(BIN) $(SOAKFLAGS)

docker:
	docker build -t chartside:latest .

clean:
	rm -rf bin
