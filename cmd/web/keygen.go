package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/chartside/chartside/epic"
)

// runKeygen creates a signing key for Epic: `web keygen --out FILE [--type ec|rsa] [--bits N]`.
// It writes the private key (0600, never overwriting) and prints the public JWK Set to register or
// publish. EC P-384 is Epic's recommendation for new apps that publish a JWK Set URL.
func runKeygen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "file to write the PEM private key to (required; not overwritten)")
	kind := fs.String("type", "ec", "key type: ec (P-384, ES384) or rsa (RS384)")
	bits := fs.Int("bits", 3072, "RSA key size in bits (2048 or more)")
	if err := fs.Parse(args); err != nil {
		return flagError(err, "", nil) // nil for -h: the usage is printed
	}
	if *out == "" {
		return &usageError{"keygen: --out FILE is required"}
	}
	var (
		k   *epic.Key
		err error
	)
	switch *kind {
	case "ec":
		k, err = epic.GenerateECKey()
	case "rsa":
		if *bits < 2048 {
			return &usageError{"keygen: --bits must be 2048 or more (Epic's minimum)"}
		}
		k, err = epic.GenerateRSAKey(*bits)
	default:
		return &usageError{fmt.Sprintf("keygen: --type %q: use ec or rsa", *kind)}
	}
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	pem, err := k.PEM()
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if _, err := f.Write(pem); err != nil {
		f.Close()
		return fmt.Errorf("keygen: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%s, kid %s)\n", *out, k.Alg(), k.KID())
	fmt.Fprintf(stdout, "public JWK Set (served by Chartside at /.well-known/jwks.json):\n%s\n", epic.JWKS([]*epic.Key{k}))
	return nil
}
