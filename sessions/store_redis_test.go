package sessions

import (
	"strings"
	"testing"
)

// SESSION_STORE's URL is taken as go-redis reads it, with Chartside's pool size unless the
// operator set pool_size there.
func TestRedisOptions(t *testing.T) {
	tests := []struct {
		url      string
		addr     string
		db       int
		poolSize int
	}{
		{"redis://127.0.0.1:6379/5", "127.0.0.1:6379", 5, redisPoolSize},
		{"redis://:secret@redis.internal:6380/0?dial_timeout=2s", "redis.internal:6380", 0, redisPoolSize},
		{"redis://127.0.0.1:6379/2?pool_size=7", "127.0.0.1:6379", 2, 7},
	}
	for _, tt := range tests {
		opts, err := redisOptions(tt.url)
		if err != nil {
			t.Errorf("redisOptions(%q): %v", tt.url, err)
			continue
		}
		if opts.Addr != tt.addr || opts.DB != tt.db || opts.PoolSize != tt.poolSize {
			t.Errorf("redisOptions(%q) = addr %q db %d pool %d, want %q %d %d",
				tt.url, opts.Addr, opts.DB, opts.PoolSize, tt.addr, tt.db, tt.poolSize)
		}
	}
	if _, err := redisOptions("redis://127.0.0.1:6379/2?pool_size=lots"); err == nil {
		t.Error("redisOptions accepted pool_size=lots, want an error")
	}
}

// TestRedisURLErrorsHideThePassword: SESSION_STORE holds Redis's password, and the start-up error
// for a URL that is wrong repeats what is wrong with it, never the password. net/url's errors
// quote the whole URL ("parse \"redis://:S3cretRedis@127.0.0.1:notaport/9\": invalid port …").
func TestRedisURLErrorsHideThePassword(t *testing.T) {
	tests := []struct {
		url  string
		want string // what the error must still say
	}{
		{"redis://:S3cretRedis@127.0.0.1:notaport/9", `invalid port ":notaport"`},
		{"redis://chartside:S3cretRedis@127.0.0.1:6379/9\x7f", "invalid control character"},
		{"redis://chartside:S3cretRedis%zz@127.0.0.1:6379/9", "%25"},
		{"redis://:S3cretRedis@red is/0", "invalid character"},
		{"redis://:S3cretRedis@127.0.0.1:6379/nine", "invalid database number"},
		{"redis://:S3cretRedis@127.0.0.1:6379/0?pool_size=lots", "pool_size"},
		{"redis://:S3cretRedis@127.0.0.1:6379/0?colour=blue", "unexpected option: colour"},
		{"http://:S3cretRedis@127.0.0.1:6379/0", "invalid URL scheme: http"},
	}
	for _, tt := range tests {
		_, err := NewRedisStore(tt.url)
		if err == nil {
			t.Errorf("NewRedisStore(%q) succeeded, want an error", tt.url)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "S3cretRedis") || !strings.Contains(msg, tt.want) {
			t.Errorf("NewRedisStore(%q): error %q, want one saying %q without the password", tt.url, msg, tt.want)
		}
	}
}
