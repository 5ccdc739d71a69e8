from alpine as Base
ENV k v w
ARG A B
RUN [ -e /x ] && echo ok
COPY --link a b
ONBUILD COPY --from=base / /
MAINTAINER someone
RUN echo 日本語 🐳 \
# a comment inside

    && true
ADD --checksum=sha256:abc https://example.com/x.tar.gz /
VOLUME ["/data"]
STOPSIGNAL SIGTERM
FROM scratch
COPY --from=Base / /
FROM $UNSET:${TAG:-latest}@sha256:deadbeef
