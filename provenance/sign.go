package provenance

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// PayloadType is the DSSE payload type of an in-toto statement.
const PayloadType = "application/vnd.in-toto+json"

// Sign wraps the statement in a DSSE envelope signed with the developer
// certificate's key: RSA PKCS#1 v1.5 over SHA-256 of the envelope's PAE,
// the way syspkg metainfo is signed, so the same statement and key give
// the same envelope. The key id is the sha256 of the certificate (DER).
func Sign(statement, certPEM, keyPEM []byte) ([]byte, error) {
	s, err := sign.NewSigner(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	key, err := sign.ParseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	es, err := dsse.NewEnvelopeSigner(rsaSigner{key: key, cert: s.Cert})
	if err != nil {
		return nil, err
	}
	env, err := es.SignPayload(context.Background(), PayloadType, statement)
	if err != nil {
		return nil, fmt.Errorf("signing provenance: %w", err)
	}
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Verify checks a DSSE envelope's signature against cert and returns the
// statement it carries.
func Verify(envelope []byte, cert *x509.Certificate) ([]byte, error) {
	var env dsse.Envelope
	if err := json.Unmarshal(envelope, &env); err != nil {
		return nil, fmt.Errorf("reading DSSE envelope: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("certificate %q has no RSA key", cert.Subject.CommonName)
	}
	ev, err := dsse.NewEnvelopeVerifier(rsaSigner{pub: pub, cert: cert})
	if err != nil {
		return nil, err
	}
	if _, err := ev.Verify(context.Background(), &env); err != nil {
		return nil, fmt.Errorf("provenance signature: %w", err)
	}
	return env.DecodeB64Payload()
}

// rsaSigner signs and verifies DSSE's PAE with one certificate's RSA key.
type rsaSigner struct {
	key  *rsa.PrivateKey
	pub  *rsa.PublicKey
	cert *x509.Certificate
}

func (r rsaSigner) Sign(_ context.Context, data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return rsa.SignPKCS1v15(nil, r.key, crypto.SHA256, sum[:])
}

func (r rsaSigner) Verify(_ context.Context, data, sig []byte) error {
	sum := sha256.Sum256(data)
	return rsa.VerifyPKCS1v15(r.pub, crypto.SHA256, sum[:], sig)
}

func (r rsaSigner) KeyID() (string, error) {
	sum := sha256.Sum256(r.cert.Raw)
	return hex.EncodeToString(sum[:]), nil
}

func (r rsaSigner) Public() crypto.PublicKey { return r.pub }

// SignFiles is the in-graph signing step (kiln sign-provenance): it reads
// the statement, certificate and key files and writes the envelope to out
// through a temporary name.
func SignFiles(statement, certFile, keyFile, out string) error {
	var data [3][]byte
	for i, f := range []string{statement, certFile, keyFile} {
		var err error
		if data[i], err = os.ReadFile(f); err != nil {
			return fmt.Errorf("signing provenance: %w", err)
		}
	}
	env, err := Sign(data[0], data[1], data[2])
	if err != nil {
		return err
	}
	return atomicfile.Write(out, env, 0o644)
}
