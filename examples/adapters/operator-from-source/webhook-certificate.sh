#!/bin/sh
# A self-signed serving certificate for a webhook server on 127.0.0.1: tls.crt and tls.key in $1
# (the file names controller-runtime's webhook server reads from its cert dir).
set -eu
mkdir -p "$1"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$1/tls.key" -out "$1/tls.crt" 2>/dev/null
