#!/bin/sh
# verify.sh SIGNED CA.pem: checks a syspkg signed file (metainfo or
# repository list) with openssl and coreutils only, the way a user without
# kiln would, and prints openssl's verdicts ("Verified OK", "signer.pem: OK").
# It works in the current directory.
set -e
signed=$1 ca=$2
sed '/^------BEGIN SIGNATURE------$/,$d' "$signed" > body
sed -n '/^------BEGIN SIGNATURE------$/,/^------END SIGNATURE------$/p' "$signed" | sed '1d;$d' | base64 -d > block.der
# The block is a DER certificate followed by the signature: re-encoding the
# certificate gives its length, the rest is the signature.
openssl x509 -inform DER -in block.der -out signer.pem
openssl x509 -in signer.pem -outform DER -out signer.der
tail -c +$(( $(stat -c %s signer.der) + 1 )) block.der > sig.bin
openssl x509 -in signer.pem -noout -pubkey > pub.pem
openssl dgst -sha256 -verify pub.pem -signature sig.bin body
openssl verify -CAfile "$ca" signer.pem
