FROM debian:bookworm
RUN <<EOF
set -e
apt-get update
EOF
RUN <<-"INNER" bash
	echo "$HOME"
	INNER
COPY <<one <<two /dst/
first
one
second
two
RUN python3 <<PY > /out.txt
print("hi")
PY
RUN <<EOF
never closed
