package logscan

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// genTraces are the exception templates of GenerateLog; %d is replaced by ids.
var genTraces = [...]string{
	"{ts} ERROR [http-nio-8080-exec-%d] c.e.orders.OrderController - request failed\n" +
		"java.lang.IllegalStateException: order %d not found\n" +
		"\tat com.example.orders.OrderService.load(OrderService.java:42)\n" +
		"\tat com.example.orders.OrderController.get(OrderController.java:17)\n" +
		"\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)\n" +
		"\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:764)\n" +
		"Caused by: java.sql.SQLException: connection %d refused\n" +
		"\tat com.example.db.Pool.get(Pool.java:88)\n" +
		"\t... 3 more\n",
	"{ts} ERROR app.views: unhandled\n" +
		"Traceback (most recent call last):\n" +
		"  File \"/srv/app/views.py\", line 31, in handle\n" +
		"    return cart.total(user_id=%d)\n" +
		"  File \"/srv/app/cart.py\", line 12, in total\n" +
		"    return self.items[key]\n" +
		"KeyError: 'item-%d'\n",
	"panic: runtime error: index out of range [%d] with length 3\n\n" +
		"goroutine 7 [running]:\n" +
		"main.(*Server).handle(0xc000010000, 0x%d)\n" +
		"\t/src/server.go:55 +0x1d\n" +
		"created by main.main in goroutine 1\n" +
		"\t/src/main.go:20 +0x66\n",
	"TypeError: Cannot read properties of undefined (reading 'id%d')\n" +
		"    at getUser (/app/src/users.js:10:15)\n" +
		"    at async handler (/app/src/routes.js:%d:5)\n" +
		"    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n",
}

var genLevels = [...]string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "INFO"}

var genMsgs = [...]string{
	"GET /api/v1/orders/%d 200 12ms",
	"user %d logged in from 10.0.3.7",
	"cache hit ratio=0.97 keys=%d",
	"processed batch %d in 153ms",
	"connection pool stats active=4 idle=%d waiting=0",
	"scheduled job cleanup finished, removed %d rows",
	"POST /api/v1/payments 201 48ms request_id=%d",
	"retrying upstream call attempt=2 backoff=200ms id=%d",
}

// LogGenerator writes a realistic application log in which about one record in
// ExceptionEvery is a multi-line exception (Java, Python, Go, Node.js) from a small set
// of recurring bugs with varying ids. The demo appends to a file with it.
type LogGenerator struct {
	// ExceptionEvery: one record in this many is an exception (default 800).
	ExceptionEvery int
	rng            *rand.Rand
	ts             time.Time
	line           []byte
}

// NewLogGenerator returns a generator, deterministic for a seed.
func NewLogGenerator(seed uint64) *LogGenerator {
	return &LogGenerator{
		ExceptionEvery: 800,
		rng:            rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		ts:             time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

// Write writes records until at least size bytes are written (or n records when
// size <= 0), timestamped from now (zero: the generator's own clock). It returns the
// bytes and the exception events written.
func (g *LogGenerator) Write(w io.Writer, n int, size int64, now time.Time) (int64, int, error) {
	if !now.IsZero() {
		g.ts = now
	}
	every := g.ExceptionEvery
	if every <= 0 {
		every = 800
	}
	var written int64
	events := 0
	for i := 0; size > 0 && written < size || size <= 0 && i < n; i++ {
		if g.rng.IntN(every) == 0 {
			tr := genTraces[g.rng.IntN(len(genTraces))]
			s := fmt.Sprintf(tr, g.rng.IntN(100000), g.rng.IntN(100000))
			s = strings.Replace(s, "{ts}", g.ts.Format("2006-01-02 15:04:05.000"), 1)
			k, err := io.WriteString(w, s)
			written += int64(k)
			if err != nil {
				return written, events, fmt.Errorf("genlog: %w", err)
			}
			events++
			continue
		}
		g.ts = g.ts.Add(time.Duration(g.rng.IntN(50)) * time.Millisecond)
		line := g.ts.AppendFormat(g.line[:0], "2006-01-02T15:04:05.000Z")
		line = append(line, ' ')
		line = append(line, genLevels[g.rng.IntN(len(genLevels))]...)
		line = append(line, " [worker-"...)
		line = strconv.AppendInt(line, int64(g.rng.IntN(16)), 10)
		line = append(line, "] com.example.service.Handler - "...)
		line = fmt.Appendf(line, genMsgs[g.rng.IntN(len(genMsgs))], g.rng.IntN(1000000))
		line = append(line, '\n')
		g.line = line
		k, err := w.Write(line)
		written += int64(k)
		if err != nil {
			return written, events, fmt.Errorf("genlog: %w", err)
		}
	}
	return written, events, nil
}

// GenerateLog writes about size bytes of a realistic application log in which about 1% of
// the lines belong to multi-line exceptions (Java, Python, Go, Node.js), deterministic
// for a seed. It returns the number of exception events written.
func GenerateLog(w io.Writer, size int64, seed uint64) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	_, events, err := NewLogGenerator(seed).Write(bw, 0, size, time.Time{})
	if err != nil {
		return events, err
	}
	if err := bw.Flush(); err != nil {
		return events, fmt.Errorf("genlog: %w", err)
	}
	return events, nil
}
