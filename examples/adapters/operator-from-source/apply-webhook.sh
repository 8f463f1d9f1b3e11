#!/bin/sh
# Apply the webhook configuration $2 with the certificate $1 as its caBundle, using kubectl $3
# (KUBECONFIG is set by the harness).
set -eu
bundle=$(base64 -w0 "$1")
sed "s|CA_BUNDLE|$bundle|" "$2" | "$3" apply -f -
