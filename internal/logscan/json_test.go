package logscan

import (
	"fmt"
	"strings"
	"testing"
)

func TestJSONLogs(t *testing.T) {
	javaStack := `java.lang.IllegalStateException: order 42 missing\n\tat com.example.orders.OrderService.load(OrderService.java:42)\n\tat com.example.orders.OrderController.get(OrderController.java:17)`
	pyStack := `Traceback (most recent call last):\n  File \"/srv/app/cart.py\", line 12, in total\n    return self.items[key]\nKeyError: 'item-5'`
	lines := []string{
		`{"@timestamp":"2026-05-01T10:00:00Z","log.level":"info","message":"started"}`,
		// ECS, dotted keys
		`{"@timestamp":"2026-05-01T10:00:01Z","log.level":"error","message":"failed","error.type":"java.lang.IllegalStateException","error.message":"order 42 missing","error.stack_trace":"` + javaStack + `"}`,
		// ECS, nested objects, same bug other id
		`{"@timestamp":"2026-05-01T10:00:02Z","log":{"level":"error"},"message":"failed","error":{"type":"java.lang.IllegalStateException","message":"order 7 missing","stack_trace":"` + strings.ReplaceAll(javaStack, "42", "7") + `"}}`,
		// OpenTelemetry attributes
		`{"timestamp":"2026-05-01T10:00:03Z","severity":"ERROR","body":"boom","attributes":{"exception.type":"ValueError","exception.message":"bad amount -3","exception.stacktrace":"Traceback (most recent call last):\n  File \"/srv/app/pay.py\", line 3, in pay\n    raise ValueError(amount)\nValueError: bad amount -3"}}`,
		// python-json-logger exc_info
		`{"asctime":"2026-05-01 10:00:04","levelname":"ERROR","message":"cart failed","exc_info":"` + pyStack + `"}`,
		// logstash-logback-encoder stack_trace
		`{"@timestamp":"2026-05-01T10:00:05Z","level":"ERROR","message":"x","stack_trace":"` + strings.ReplaceAll(javaStack, "42", "43") + `"}`,
		// type and message only
		`{"level":"error","error.type":"TimeoutError","error.message":"after 3000ms"}`,
		// a message holding a multi-line traceback
		`{"level":"error","msg":"Traceback (most recent call last):\n  File \"/srv/app/cart.py\", line 14, in total\n    return self.items[key]\nKeyError: 'item-9'\n"}`,
		// no exception, though words look alike
		`{"level":"error","message":"request failed with status 500","error":"upstream timeout"}`,
		`{"level":"info","message":"stack size is 8MB"}`,
		`not json {`,
	}
	evs := scanAll(t, strings.Join(lines, "\n")+"\n", FormatAuto)
	checkGroups(t, evs, "AABCADC")
	wantTypes := []string{"java.lang.IllegalStateException", "java.lang.IllegalStateException", "ValueError", "KeyError",
		"java.lang.IllegalStateException", "TimeoutError", "KeyError"}
	for i, e := range evs {
		if e.Type != wantTypes[i] {
			t.Errorf("event %d: type %q, want %q", i, e.Type, wantTypes[i])
		}
	}
	if evs[0].Location != "com.example.orders.OrderService.load" || evs[0].Language != LangJava {
		t.Errorf("event 0: %+v", evs[0])
	}
	if evs[5].Message != "after <dur>" {
		t.Errorf("event 5 message %q", evs[5].Message)
	}
	// format text does not look into JSON
	if got := scanAll(t, lines[1]+"\n", FormatText); len(got) != 1 || got[0].Location != "" {
		// the raw line still mentions a typed exception, found as a one-line event
		t.Logf("text format: %+v", got)
	}
}

// TestJSONContainerLines: a trace split into one JSON record per line (Docker json-file).
func TestJSONContainerLines(t *testing.T) {
	recs := []string{
		`{"log":"2026-05-01 10:00:00 INFO start\n","stream":"stdout"}`,
		`{"log":"java.lang.IllegalStateException: boom 1\n","stream":"stderr"}`,
		`{"log":"\tat com.example.A.run(A.java:1)\n","stream":"stderr"}`,
		`{"log":"\tat com.example.B.call(B.java:2)\n","stream":"stderr"}`,
		`{"log":"2026-05-01 10:00:01 INFO next\n","stream":"stdout"}`,
		`{"log":"java.lang.IllegalStateException: boom 2\n","stream":"stderr"}`,
		`{"log":"\tat com.example.A.run(A.java:5)\n","stream":"stderr"}`,
		`{"log":"\tat com.example.B.call(B.java:2)\n","stream":"stderr"}`,
	}
	evs := scanAll(t, strings.Join(recs, "\n")+"\n", FormatJSON)
	checkGroups(t, evs, "AA")
	if evs[0].Location != "com.example.A.run" {
		t.Errorf("location %q", evs[0].Location)
	}
}

// TestCRILines: Kubernetes container logs (CRI format) carry a prefix on every line.
func TestCRILines(t *testing.T) {
	pre := func(stream, s string) string { return "2026-05-01T10:00:00.123456789Z " + stream + " F " + s + "\n" }
	text := pre("stdout", "2026-05-01 10:00:00 INFO start") +
		pre("stderr", "TypeError: Cannot read properties of undefined (reading 'id')") +
		pre("stderr", "    at getUser (/app/src/users.js:10:15)") +
		pre("stderr", "    at /app/src/routes.js:22:9") +
		pre("stdout", "2026-05-01 10:00:01 INFO next") +
		pre("stderr", "Error: connect ECONNREFUSED 127.0.0.1:6379") +
		pre("stderr", "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)") +
		pre("stdout", `{"level":"error","error.type":"TimeoutError","error.message":"after 3000ms"}`) +
		pre("stdout", "done")
	evs := scanAll(t, text, FormatAuto)
	checkGroups(t, evs, "ABC")
	// stdout and stderr have a detector each: the stderr trace ends at the end of input,
	// after the stdout record.
	if evs[0].Location != "users.js:getUser" || evs[2].Type != "Error" || evs[1].Type != "TimeoutError" {
		t.Errorf("events: %+v", evs)
	}
	if criPrefix([]byte("2026-05-01 10:00:00 INFO stdout F x")) != 0 {
		t.Error("plain log taken for CRI")
	}
}

// TestJSONZapStack: zap logs errors with a Go stack (function lines without arguments).
func TestJSONZapStack(t *testing.T) {
	rec := func(id string, line int) string {
		return `{"level":"error","ts":1714557600.1,"caller":"app/handler.go:42","msg":"request failed","error":"order ` + id +
			` not found","stacktrace":"main.(*Handler).load\n\t/src/app/handler.go:` + fmt.Sprint(line) +
			`\nmain.(*Handler).ServeHTTP\n\t/src/app/handler.go:20\nnet/http.serverHandler.ServeHTTP\n\t/usr/local/go/src/net/http/server.go:3137"}`
	}
	evs := scanAll(t, rec("42", 42)+"\n"+rec("7", 44)+"\n", FormatAuto)
	checkGroups(t, evs, "AA")
	if evs[0].Language != LangGo || evs[0].Type != "error" || evs[0].Location != "main.(*Handler).load" || evs[0].Message != "order <num> not found" {
		t.Errorf("event %+v", evs[0])
	}
}
