# tenantgate container image, for those who build with Docker. The release
# image is built without a daemon (make image, internal/image) and has the same
# layout: a static binary at /usr/local/bin/tenantgate as entry point, the CA
# roots, user nonroot (65532), working directory /work, no shell.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) -t tenantgate .
#   docker run --rm tenantgate audit --demo
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
ARG DATE=
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/tenantgate/tenantgate/internal/version.version=${VERSION} -X github.com/tenantgate/tenantgate/internal/version.commit=${COMMIT} -X github.com/tenantgate/tenantgate/internal/version.date=${DATE}" \
      -o /out/tenantgate ./cmd/tenantgate \
 && mkdir -p /out/work

# distroless/static: CA certificates, /etc/passwd with nonroot (65532), tzdata; no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tenantgate /usr/local/bin/tenantgate
COPY --from=build --chown=65532:65532 /out/work /work
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/tenantgate"]
CMD ["--help"]
