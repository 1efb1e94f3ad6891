package sessions

import "testing"

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
