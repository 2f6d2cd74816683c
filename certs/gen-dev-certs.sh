#!/bin/sh
# gen-dev-certs.sh OUTDIR [DNS_NAME...]
# Writes a throwaway ECDSA P-256 CA (ca.pem, ca-key.pem) and a serving
# certificate (tls.crt, tls.key) for local development and tests, valid for
# localhost, 127.0.0.1, ::1 and any DNS names given. Keys are mode 0600.
# Never use these in a cluster: see README "Install" for real certificates.
set -eu
out=${1:?usage: gen-dev-certs.sh OUTDIR [DNS_NAME...]}
shift
mkdir -p "$out"
umask 077
san="DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1"
for n in "$@"; do san="$san,DNS:$n"; done

openssl ecparam -name prime256v1 -genkey -noout -out "$out/ca-key.pem" 2>/dev/null
openssl req -x509 -new -key "$out/ca-key.pem" -sha256 -days 30 -subj "/CN=sparkhook dev CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$out/ca.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$out/tls.key" 2>/dev/null
openssl req -new -key "$out/tls.key" -subj "/CN=sparkhook" -out "$out/tls.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
  "$san" > "$out/ext.cnf"
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" -CAcreateserial \
  -days 30 -sha256 -extfile "$out/ext.cnf" -out "$out/tls.crt" 2>/dev/null
rm -f "$out/tls.csr" "$out/ext.cnf" "$out/ca.srl"
chmod 0644 "$out/ca.pem" "$out/tls.crt"
