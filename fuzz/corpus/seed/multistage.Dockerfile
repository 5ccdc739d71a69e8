# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS builder
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=bind,source=.,target=/src,rw \
    go build -o /out/app ./cmd/app
FROM builder AS test
RUN go test ./...
FROM ${BASE} AS runtime
ARG GO_VERSION
ENV PATH=/usr/local/bin:$PATH \
    APP_HOME=/app
LABEL org.opencontainers.image.title="app" version=1.0
COPY --from=builder --chmod=755 /out/app /usr/local/bin/app
COPY --from=0 /etc/ssl /etc/ssl
EXPOSE 8080/tcp
USER 65532:65532
HEALTHCHECK --interval=30s CMD ["/usr/local/bin/app", "health"]
ENTRYPOINT ["/usr/local/bin/app"]
CMD ["serve"]
