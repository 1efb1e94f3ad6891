package sessions

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// TestRedisLogsThroughChartsideLog: the Redis client's own complaints (here: dialling a Redis that
// is not there) reach Chartside's log as structured WARN lines, not raw "redis: … pool.go:770"
// lines on stderr that ignore LOG_FORMAT=json. The password in the URL is not among them.
func TestRedisLogsThroughChartsideLog(t *testing.T) {
	var buf bytes.Buffer
	LogRedisTo(slog.New(slog.NewJSONHandler(&buf, nil)))
	if _, err := NewRedisStore("redis://:s3cret@127.0.0.1:1/0"); err == nil {
		t.Fatal("connected to a Redis that is not there")
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if buf.Len() == 0 {
		t.Fatal("nothing logged: the Redis client's messages went elsewhere")
	}
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if rec["level"] != "WARN" || rec["msg"] != "redis" || !strings.Contains(rec["detail"].(string), "dial") {
			t.Errorf("log line %v: want a WARN redis line about dialling", rec)
		}
		if strings.Contains(line, "s3cret") {
			t.Errorf("log line %q shows the password", line)
		}
	}
}
