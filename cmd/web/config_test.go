package main

import (
	"regexp"
	"testing"
)

// TestPublicURLAdviceIsAccepted: a PUBLIC_URL that is not an absolute URL was told "use a URL like
// https://host/path", and a URL with a path is then refused ("Chartside is served at the root of
// its host"). Whatever a URL setting's error suggests must be a value that setting accepts.
func TestPublicURLAdviceIsAccepted(t *testing.T) {
	like := regexp.MustCompile(`use a URL like ([^\s,;]+)`)
	for _, bad := range []string{"chartside.hospital.org", "ftp://chartside.hospital.org", "/chartside"} {
		_, err := loadConfig(func(k string) string { return map[string]string{"PUBLIC_URL": bad}[k] })
		if err == nil {
			t.Fatalf("PUBLIC_URL=%q accepted", bad)
		}
		m := like.FindStringSubmatch(err.Error())
		if m == nil {
			t.Fatalf("PUBLIC_URL=%q: error %q suggests no URL", bad, err)
		}
		if _, err := loadConfig(func(k string) string { return map[string]string{"PUBLIC_URL": m[1]}[k] }); err != nil {
			t.Errorf("PUBLIC_URL=%q suggests %q, which is refused: %v", bad, m[1], err)
		}
	}
}
