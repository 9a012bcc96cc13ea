package sign

import (
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	f := newFixture(t)
	csr, _, err := NewCSR("Joe Bloggs", &CertOptions{Key: f.devKey})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"repository": {f.repoCert, `repository certificate "Example Repo" (CN=Example Repo,O=repository,C=HU), self-signed, valid 2024-01-01 to 2033-12-31, serial 1714566600, RSA-2048`},
		"developer":  {f.devCert, `developer certificate "Jane Doe" (CN=Jane Doe,O=maintainer,C=HU), self-signed, valid 2024-01-01 to 2033-12-31, serial 1714566600, RSA-2048`},
		"issued":     {f.devSigned, `developer certificate "Jane Doe" (CN=Jane Doe,O=maintainer,C=HU), issued by "Example Repo", valid 2024-01-01 to 2033-12-31, serial 1714570200, RSA-2048`},
		"request":    {csr, `certificate request "Joe Bloggs" (CN=Joe Bloggs,O=maintainer), RSA-2048`},
	} {
		if got, err := Describe(c.data); err != nil || got != c.want {
			t.Errorf("%s: Describe = %q, %v\nwant %q", name, got, err, c.want)
		}
	}
	for name, c := range map[string]struct {
		data    []byte
		wantErr string
	}{
		"key":     {f.devKey, "this is a private key, not a certificate"},
		"nothing": {[]byte("hello\n"), "no PEM data"},
		"other":   {[]byte("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"), `PEM block "X509 CRL" is not a certificate`},
	} {
		if _, err := Describe(c.data); err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: err = %v, want one containing %q", name, err, c.wantErr)
		}
	}
}
