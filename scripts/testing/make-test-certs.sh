#!/usr/bin/env bash
# Makes a throwaway test CA and server certificates for loopback TLS tests:
#   ca.pem, ca.key                 the test CA
#   server.pem, server.key         127.0.0.1 and localhost, signed by the CA
#   expired.pem, expired.key       the same names, expired in 2020
#   wronghost.pem, wronghost.key   signed by the CA, for another host name
#   selfsigned.pem, selfsigned.key 127.0.0.1, signed by nobody
#   capath/                        the CA in a hashed directory (as /etc/ssl/certs is)
set -euo pipefail
dir=${1:?usage: make-test-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1; }

quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
    -subj "/CN=tmcloud test CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

issue() { # name subject-alt-names [startdate enddate]
    local name=$1 san=$2
    quiet openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=${name}"
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" > "$name.ext"
    if [ $# -ge 4 ]; then
        # openssl ca is the only way openssl 3.0 sets dates in the past.
        mkdir -p ca-db && : > ca-db/index.txt && echo 1000 > ca-db/serial
        cat > ca-db/ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
CNF
        quiet openssl ca -batch -config ca-db/ca.cnf -cert ca.pem -keyfile ca.key -in "$name.csr" -out "$name.pem" \
            -startdate "$3" -enddate "$4" -extfile "$name.ext" -notext
    else
        quiet openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" -days 3650 \
            -extfile "$name.ext"
    fi
    rm -f "$name.csr" "$name.ext"
}
issue server "DNS:localhost,IP:127.0.0.1"
issue wronghost "DNS:api.example.invalid"
issue expired "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200201000000Z
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout selfsigned.key -out selfsigned.pem -days 3650 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
mkdir -p capath
cp ca.pem capath/
cp ca.pem capath/ca-certificates.crt
quiet openssl rehash capath || ln -sf ca.pem "capath/$(openssl x509 -hash -noout -in ca.pem).0"
rm -rf ca-db ca.srl
