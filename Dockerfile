# Chartside container: a static binary on a minimal, non-root base image.
# Build: make docker   Run: docker run -p 8080:8080 -v chartside-data:/data -e TIMEZONE=America/Chicago chartside
# (the image's own time zone is UTC: set TIMEZONE to the clinic's, as chart times carry no zone)

FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/web ./cmd/web \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/web /web
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV LISTEN_ADDR=:8080 \
    DATA_DIR=/data
USER nonroot:nonroot
VOLUME ["/data"]
EXPOSE 8080
# --timeout stays above `web healthcheck`'s own 3 s bound (cmd/web/healthcheck.go), so a failed
# check shows the command's reason in `docker inspect` rather than Docker's kill.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/web", "healthcheck"]
ENTRYPOINT ["/web"]
CMD ["serve"]
