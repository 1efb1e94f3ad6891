package sessions

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/redis/go-redis/v9"
)

// redisPrefix namespaces Chartside's keys in a Redis that may be shared.
const redisPrefix = "chartside:session:"

// redisPingTimeout bounds the start-up check so a wrong SESSION_STORE fails
// fast instead of hanging start-up.
const redisPingTimeout = 5 * time.Second

// NewRedisStore connects to the Redis at redisURL (redis:// or rediss://) and
// returns a session store on it and a function that closes the connection.
// Redis expires keys itself, so no cleanup is needed.
func NewRedisStore(redisURL string) (scs.Store, func() error, error) {
	return newRedisStore(redisURL, redisPrefix)
}

// newRedisStore lets tests use their own prefix so parallel runs sharing one
// Redis never see each other's sessions.
func newRedisStore(redisURL, prefix string) (scs.Store, func() error, error) {
	opts, err := redisOptions(redisURL)
	if err != nil {
		return nil, nil, err
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), redisPingTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("sessions: connect to redis: %w", err)
	}
	return redisStore{goredisstore.NewWithPrefix(client, prefix)}, client.Close, nil
}

// redisPoolSize is how many connections to Redis a Chartside process keeps
// when SESSION_STORE does not say (pool_size=N in the URL). Every request
// reads its session from Redis, so the pool is as busy as the server: with
// go-redis's default of 10 per CPU, requests under load (50 clients on two
// CPUs) each waited 29 ms on average for a connection before asking Redis for
// their session; with 64, 3 ms; with 128, under 1 ms (BENCHMARKS.md).
// Connections are opened only when needed.
const redisPoolSize = 128

// redisOptions parses SESSION_STORE's redis:// or rediss:// URL, with
// Chartside's pool size unless the URL sets its own.
func redisOptions(redisURL string) (*redis.Options, error) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		// The URL may hold a password; go-redis's parse errors do not quote it.
		return nil, fmt.Errorf("sessions: parse redis url: %w", err)
	}
	if u, err := url.Parse(redisURL); err == nil && !u.Query().Has("pool_size") {
		opts.PoolSize = redisPoolSize
	}
	return opts, nil
}

// redisStore fixes one goredisstore edge: it turns the expiry into a TTL with
// SET, and go-redis treats a negative TTL as "no expiry", so committing an
// already-past expiry would keep the session forever. Such a commit deletes
// the key instead.
type redisStore struct {
	*goredisstore.RedisStore
}

// CommitCtx stores the session, or deletes it when expiry has passed.
func (r redisStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if !time.Now().Before(expiry) {
		return r.RedisStore.DeleteCtx(ctx, token)
	}
	return r.RedisStore.CommitCtx(ctx, token, b, expiry)
}

// Commit implements scs.Store.
func (r redisStore) Commit(token string, b []byte, expiry time.Time) error {
	return r.CommitCtx(context.Background(), token, b, expiry)
}

// LogRedisTo sends the Redis client's own messages (failed dials, pool trouble: never session
// data) to log at WARN, instead of go-redis's default of raw lines on stderr that ignore the
// log format. The Redis client's logger is one per process.
func LogRedisTo(log *slog.Logger) {
	redis.SetLogger(redisLog{log})
}

type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.LogAttrs(ctx, slog.LevelWarn, "redis", slog.String("detail", fmt.Sprintf(format, v...)))
}
