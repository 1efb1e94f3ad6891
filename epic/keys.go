package epic

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// minRSABits is Epic's minimum RSA key size.
const minRSABits = 2048

// Key is a private signing key for client assertions: RSA (signs RS384) or EC P-384 (signs
// ES384, which Epic accepts only from apps that register a JWK Set URL).
type Key struct {
	signer crypto.Signer
	alg    string
	kid    string
}

// LoadKeys reads PEM private keys from files, in order; the last one signs. Errors name the file
// and say what is wrong (unreadable, not a private key, encrypted, weak, unsupported curve).
func LoadKeys(paths ...string) ([]*Key, error) {
	if len(paths) == 0 {
		return nil, errors.New("epic: load keys: no key file given")
	}
	keys := make([]*Key, 0, len(paths))
	seen := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			// os errors name the path and the reason (missing, permission denied).
			return nil, fmt.Errorf("epic: load key: %w", err)
		}
		k, err := ParseKey(b)
		if err != nil {
			return nil, fmt.Errorf("epic: load key %s: %w", p, err)
		}
		if prev, dup := seen[k.kid]; dup {
			return nil, fmt.Errorf("epic: load key %s: same key as %s", p, prev)
		}
		seen[k.kid] = p
		keys = append(keys, k)
	}
	return keys, nil
}

// ParseKey parses one PEM private key: PKCS#1 ("RSA PRIVATE KEY", what `openssl genrsa` wrote
// before OpenSSL 3), PKCS#8 ("PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY"). An "EC PARAMETERS"
// block before the key (from `openssl ecparam -genkey`) is skipped.
func ParseKey(pemBytes []byte) (*Key, error) {
	rest := pemBytes
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM private key found (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)")
		}
		switch block.Type {
		case "EC PARAMETERS":
			continue
		case "RSA PRIVATE KEY":
			if _, encrypted := block.Headers["DEK-Info"]; encrypted {
				return nil, errors.New("the key is password-protected; export it without a passphrase (openssl rsa -in key.pem -out plain.pem)")
			}
			k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("invalid PKCS#1 RSA key: %w", err)
			}
			return newKey(k)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("invalid PKCS#8 key: %w", err)
			}
			s, ok := k.(crypto.Signer)
			if !ok {
				return nil, fmt.Errorf("unsupported key type %T; use RSA (2048+ bits) or EC P-384", k)
			}
			return newKey(s)
		case "EC PRIVATE KEY":
			k, err := x509.ParseECPrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("invalid EC key: %w", err)
			}
			return newKey(k)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the key is password-protected; export it without a passphrase (openssl pkcs8 -topk8 -nocrypt)")
		case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
			return nil, fmt.Errorf("this is a %s, not a private key; give the private key file (the public key goes to Epic)", block.Type)
		default:
			return nil, fmt.Errorf("unexpected PEM block %q; expected a private key", block.Type)
		}
	}
}

func newKey(s crypto.Signer) (*Key, error) {
	k := &Key{signer: s}
	switch pk := s.(type) {
	case *rsa.PrivateKey:
		if bits := pk.N.BitLen(); bits < minRSABits {
			return nil, fmt.Errorf("RSA key is %d bits; Epic requires at least %d (openssl genrsa -out privatekey.pem 2048)", bits, minRSABits)
		}
		if err := pk.Validate(); err != nil {
			return nil, fmt.Errorf("invalid RSA key: %w", err)
		}
		k.alg = "RS384"
	case *ecdsa.PrivateKey:
		if pk.Curve != elliptic.P384() {
			return nil, fmt.Errorf("EC key on curve %s; Epic accepts EC keys only on P-384 (ES384)", pk.Curve.Params().Name)
		}
		k.alg = "ES384"
	default:
		return nil, fmt.Errorf("unsupported key type %T; use RSA (2048+ bits) or EC P-384", s)
	}
	kid, err := thumbprint(publicJWK(k.signer.Public()))
	if err != nil {
		return nil, err
	}
	k.kid = kid
	return k, nil
}

// GenerateRSAKey makes a new RSA signing key (bits >= 2048), for `web keygen` and tests.
func GenerateRSAKey(bits int) (*Key, error) {
	if bits < minRSABits {
		return nil, fmt.Errorf("epic: generate key: %d bits is below Epic's minimum of %d", bits, minRSABits)
	}
	pk, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("epic: generate key: %w", err)
	}
	return newKey(pk)
}

// GenerateECKey makes a new EC P-384 signing key (ES384). Epic accepts it only from apps that
// register a JWK Set URL.
func GenerateECKey() (*Key, error) {
	pk, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("epic: generate key: %w", err)
	}
	return newKey(pk)
}

// KID is the key ID: the RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key.
func (k *Key) KID() string { return k.kid }

// Alg is the JWS algorithm the key signs with: "RS384" or "ES384".
func (k *Key) Alg() string { return k.alg }

// Public returns the public key.
func (k *Key) Public() crypto.PublicKey { return k.signer.Public() }

// PEM encodes the private key as PKCS#8 PEM. Write it only to a file with 0600 permissions.
func (k *Key) PEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.signer)
	if err != nil {
		return nil, fmt.Errorf("epic: encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PublicPEM encodes the public key as PKIX PEM ("PUBLIC KEY"), the form Epic's guide exports.
func (k *Key) PublicPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k.signer.Public())
	if err != nil {
		return nil, fmt.Errorf("epic: encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// String never prints key material.
func (k *Key) String() string { return k.alg + " key " + k.kid }

// thumbprint computes the RFC 7638 thumbprint: SHA-256 of the required members in lexicographic
// order with no whitespace.
func thumbprint(j jwk) (string, error) {
	var canon string
	switch j.Kty {
	case "RSA":
		canon = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, j.E, j.N)
	case "EC":
		canon = fmt.Sprintf(`{"crv":%q,"kty":"EC","x":%q,"y":%q}`, j.Crv, j.X, j.Y)
	default:
		return "", fmt.Errorf("epic: thumbprint: unsupported key type %q", j.Kty)
	}
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}
