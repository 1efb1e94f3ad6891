package epic

import (
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// openssl runs the openssl CLI, as in Epic's key-creation guide.
func openssl(t *testing.T, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	out, err := exec.Command("openssl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
}

func TestLoadKeysFromOpenSSL(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	// Epic's guide: openssl genrsa -out privatekey.pem 2048 (PKCS#8 on OpenSSL 3, PKCS#1 before).
	openssl(t, "genrsa", "-out", p("privatekey.pem"), "2048")
	openssl(t, "genrsa", "-traditional", "-out", p("pkcs1.pem"), "2048")
	openssl(t, "ecparam", "-name", "secp384r1", "-genkey", "-out", p("ec384.pem"))
	openssl(t, "req", "-new", "-x509", "-key", p("privatekey.pem"), "-out", p("publickey509.pem"), "-subj", "/CN=chartside", "-days", "1")
	openssl(t, "genrsa", "-out", p("weak.pem"), "1024")
	openssl(t, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p("ec256.pem"))
	openssl(t, "genrsa", "-aes256", "-passout", "pass:secret", "-out", p("encrypted.pem"), "2048")
	openssl(t, "rsa", "-in", p("privatekey.pem"), "-pubout", "-out", p("public.pem"))
	if err := os.WriteFile(p("garbage.pem"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}

	keys, err := LoadKeys(p("privatekey.pem"), p("pkcs1.pem"), p("ec384.pem"))
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	wantAlgs := []string{"RS384", "RS384", "ES384"}
	for i, k := range keys {
		if k.Alg() != wantAlgs[i] {
			t.Errorf("key %d alg = %s, want %s", i, k.Alg(), wantAlgs[i])
		}
		if len(k.KID()) != 43 { // base64url SHA-256
			t.Errorf("key %d kid = %q", i, k.KID())
		}
		// PEM round trip keeps the key.
		pemBytes, err := k.PEM()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseKey(pemBytes)
		if err != nil || back.KID() != k.KID() {
			t.Errorf("key %d PEM round trip: %v", i, err)
		}
	}

	bad := []struct {
		file, want string
	}{
		{"publickey509.pem", "CERTIFICATE, not a private key"},
		{"public.pem", "PUBLIC KEY, not a private key"},
		{"weak.pem", "1024 bits"},
		{"ec256.pem", "P-384"},
		{"encrypted.pem", "password-protected"},
		{"garbage.pem", "no PEM private key"},
		{"missing.pem", "no such file"},
	}
	for _, tt := range bad {
		t.Run(tt.file, func(t *testing.T) {
			_, err := LoadKeys(p("privatekey.pem"), p(tt.file))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.file) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to name %s and say %q", err, tt.file, tt.want)
			}
		})
	}
	if _, err := LoadKeys(p("privatekey.pem"), p("privatekey.pem")); err == nil {
		t.Error("duplicate key accepted")
	}
}

// TestThumbprintRFC7638 uses the example key and thumbprint from RFC 7638 section 3.1.
func TestThumbprintRFC7638(t *testing.T) {
	n := "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		t.Fatal(err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: 65537}
	got, err := thumbprint(publicJWK(pub))
	if err != nil {
		t.Fatal(err)
	}
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("thumbprint = %s, want %s", got, want)
	}
}

func TestGenerateKeys(t *testing.T) {
	if _, err := GenerateRSAKey(1024); err == nil {
		t.Error("1024-bit key generated")
	}
	k, err := GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	if k.Alg() != "ES384" || strings.Contains(k.String(), "PRIVATE") {
		t.Errorf("EC key = %s", k)
	}
	pub, err := k.PublicPEM()
	if err != nil || !strings.HasPrefix(string(pub), "-----BEGIN PUBLIC KEY-----") {
		t.Error("PublicPEM is not a PUBLIC KEY block")
	}
}
