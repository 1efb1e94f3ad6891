package sessions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/redis/go-redis/v9"
)

// ErrRedis marks a failure of the Redis that SESSION_STORE names, wrapped inside
// ErrStoreUnavailable when a request could not read or write its session. It tells the error page
// and the log "the session store", so IT does not go looking at Chartside's database, which is up.
var ErrRedis = errors.New("redis")

// redisPrefix namespaces Chartside's keys in a Redis that may be shared.
const redisPrefix = "chartside:session:"

// redisPingTimeout bounds the start-up check so a wrong SESSION_STORE fails
// fast instead of hanging start-up.
const redisPingTimeout = 5 * time.Second

// RedisStore keeps sessions in Redis. Every error it returns wraps ErrRedis.
type RedisStore struct {
	store  *goredisstore.RedisStore
	client *redis.Client
}

var (
	_ scs.CtxStore         = (*RedisStore)(nil)
	_ scs.IterableCtxStore = (*RedisStore)(nil)
)

// NewRedisStore connects to the Redis at redisURL (redis:// or rediss://) and
// returns a session store on it; Close closes the connection. Redis expires
// keys itself, so no cleanup is needed. No error repeats the URL's password.
func NewRedisStore(redisURL string) (*RedisStore, error) {
	return newRedisStore(redisURL, redisPrefix)
}

// newRedisStore lets tests use their own prefix so parallel runs sharing one
// Redis never see each other's sessions.
func newRedisStore(redisURL, prefix string) (*RedisStore, error) {
	opts, err := redisOptions(redisURL)
	if err != nil {
		return nil, err
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), redisPingTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("sessions: connect to redis: %w", err)
	}
	return &RedisStore{store: goredisstore.NewWithPrefix(client, prefix), client: client}, nil
}

// Ping asks Redis whether it answers, within ctx: /readyz's "session store" check.
func (r *RedisStore) Ping(ctx context.Context) error {
	return redisErr(r.client.Ping(ctx).Err())
}

// Close closes the connections to Redis.
func (r *RedisStore) Close() error { return r.client.Close() }

// redisPoolSize is how many connections to Redis a Chartside process keeps
// when SESSION_STORE does not say (pool_size=N in the URL). Every request
// reads its session from Redis, so the pool is as busy as the server: with
// go-redis's default of 10 per CPU, requests under load (50 clients on two
// CPUs) each waited 29 ms on average for a connection before asking Redis for
// their session; with 64, 3 ms; with 128, under 1 ms (BENCHMARKS.md).
// Connections are opened only when needed.
const redisPoolSize = 128

// redisDialAttempts is how many times go-redis dials for one attempt of a command. Its default
// of 5, 100 ms apart, under its default of 3 retries of the command, made every request wait
// about 1.7 s for a Redis that refuses connections before its "try again" page, and /readyz wait
// as long to say so. One dial per attempt keeps the command's own retries (with their short
// backoff, for a connection Redis dropped), so a request meeting a Redis that refuses connections
// fails in about 0.1 s, that backoff.
const redisDialAttempts = 1

// redisOptions parses SESSION_STORE's redis:// or rediss:// URL, with
// Chartside's pool size unless the URL sets its own.
func redisOptions(redisURL string) (*redis.Options, error) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("sessions: parse redis url: %w", redactURLError(err))
	}
	if u, err := url.Parse(redisURL); err == nil && !u.Query().Has("pool_size") {
		opts.PoolSize = redisPoolSize
	}
	opts.DialerRetries = redisDialAttempts
	return opts, nil
}

// redactURLError keeps the URL out of a parse error: net/url's errors quote the whole URL,
// password included ("parse \"redis://:S3cret@host:notaport/9\": invalid port …"). What is left
// says what is wrong without repeating any of the URL but the offending piece after the host.
// go-redis's own errors name only the scheme, path, database or query option.
func redactURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	var ee url.EscapeError
	if errors.As(ue.Err, &ee) {
		// The escape may be in the password: do not quote it.
		return errors.New("invalid %-escape in the URL (write a literal % in the password as %25)")
	}
	return ue.Err
}

// redisErr marks err as Redis's (nil stays nil).
func redisErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrRedis, err)
}

// FindCtx implements scs.CtxStore.
func (r *RedisStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	b, found, err := r.store.FindCtx(ctx, token)
	return b, found, redisErr(err)
}

// CommitCtx implements scs.CtxStore. It fixes one goredisstore edge: that store turns the expiry
// into a TTL with SET, and go-redis treats a negative TTL as "no expiry", so committing an
// already-past expiry would keep the session forever. Such a commit deletes the key instead.
func (r *RedisStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if !time.Now().Before(expiry) {
		return r.DeleteCtx(ctx, token)
	}
	return redisErr(r.store.CommitCtx(ctx, token, b, expiry))
}

// DeleteCtx implements scs.CtxStore.
func (r *RedisStore) DeleteCtx(ctx context.Context, token string) error {
	return redisErr(r.store.DeleteCtx(ctx, token))
}

// AllCtx implements scs.IterableCtxStore.
func (r *RedisStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	all, err := r.store.AllCtx(ctx)
	return all, redisErr(err)
}

// Find implements scs.Store.
func (r *RedisStore) Find(token string) ([]byte, bool, error) {
	return r.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (r *RedisStore) Commit(token string, b []byte, expiry time.Time) error {
	return r.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (r *RedisStore) Delete(token string) error { return r.DeleteCtx(context.Background(), token) }

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
