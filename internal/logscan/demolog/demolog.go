// Package demolog writes the demo's application log: ordinary request lines with a few
// recurring exceptions in several languages, so `hero_exporter --demo` shows exception
// metrics from a real file that the log follower tails, rotation included.
package demolog

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Options of the writer; zero values take the defaults.
type Options struct {
	Seed     uint64
	Interval time.Duration // between bursts; default 1s
	MaxBytes int64         // rotate (rename to .1) beyond this size; default 4 MiB
	Now      func() time.Time
}

// Run appends to path until ctx is done. A rotated file is renamed to path+".1",
// replacing an older one, as logrotate's rename mode does.
func Run(ctx context.Context, path string, opts Options) error {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 4 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("demolog: %w", err)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	t := time.NewTicker(opts.Interval)
	defer t.Stop()
	for {
		if err := burst(path, rng, opts); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func burst(path string, rng *rand.Rand, opts Options) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > opts.MaxBytes {
		if err := os.Rename(path, path+".1"); err != nil {
			return fmt.Errorf("demolog: rotate %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("demolog: %w", err)
	}
	defer f.Close()
	if err := Write(f, rng, opts.Now()); err != nil {
		return fmt.Errorf("demolog: write %s: %w", path, err)
	}
	return nil
}

// Write writes one burst: a handful of request lines and, now and then, one of the
// recurring exceptions (with varying ids, so grouping by fingerprint matters).
func Write(w io.Writer, rng *rand.Rand, now time.Time) error {
	ts := now.UTC().Format("2006-01-02T15:04:05.000Z")
	for range 3 + rng.IntN(5) {
		if _, err := fmt.Fprintf(w, "%s INFO  [http-nio-8080-exec-%d] c.e.o.OrderController - GET /orders/%d 200 %dms\n",
			ts, 1+rng.IntN(16), 10000+rng.IntN(90000), 3+rng.IntN(200)); err != nil {
			return err
		}
	}
	var err error
	switch r := rng.IntN(100); {
	case r < 12:
		_, err = fmt.Fprintf(w, javaNPE, ts, 1+rng.IntN(16), 10000+rng.IntN(90000))
	case r < 18:
		_, err = fmt.Fprintf(w, javaTimeout, ts, 1+rng.IntN(16), 100+rng.IntN(900), rng.IntN(256))
	case r < 24:
		_, err = fmt.Fprintf(w, pythonKeyError, ts, rng.Uint32())
	case r < 27:
		_, err = fmt.Fprintf(w, goPanic, ts, 3+rng.IntN(5), 1+rng.IntN(3), 1+rng.IntN(900))
	case r < 31:
		_, err = fmt.Fprintf(w, jsonECS+"\n", ts, 1000+rng.IntN(9000))
	}
	return err
}

const javaNPE = `%s ERROR [http-nio-8080-exec-%d] c.e.o.OrderController - Request failed for order %d
java.lang.NullPointerException: Cannot invoke "com.example.orders.Customer.getId()" because "customer" is null
	at com.example.orders.OrderService.load(OrderService.java:87)
	at com.example.orders.OrderController.get(OrderController.java:41)
	at jdk.internal.reflect.GeneratedMethodAccessor42.invoke(Unknown Source)
	at java.base/java.lang.reflect.Method.invoke(Method.java:568)
	at org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:205)
	at org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1072)
	at org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)
	at java.base/java.lang.Thread.run(Thread.java:833)
`

const javaTimeout = `%s ERROR [http-nio-8080-exec-%d] c.e.p.PaymentClient - Payment call failed
com.example.payments.PaymentException: provider did not answer within %dms
	at com.example.payments.PaymentClient.charge(PaymentClient.java:112)
	at com.example.orders.CheckoutService.pay(CheckoutService.java:64)
	at java.base/java.lang.Thread.run(Thread.java:833)
Caused by: java.net.SocketTimeoutException: Read timed out from 10.0.3.%d:8443
	at java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)
	at com.example.payments.http.Transport.read(Transport.java:51)
	... 2 more
`

const pythonKeyError = `%s ERROR checkout worker failed
Traceback (most recent call last):
  File "/srv/app/checkout/worker.py", line 58, in handle
    total = price_cents(cart)
  File "/srv/app/checkout/pricing.py", line 23, in price_cents
    return sum(item["price_cents"] * item["qty"] for item in cart["items"])
  File "/srv/app/checkout/pricing.py", line 23, in <genexpr>
    return sum(item["price_cents"] * item["qty"] for item in cart["items"])
KeyError: 'price_cents_%08x'
`

// A Go panic goes to stderr without a log prefix; the timestamp is the line before it.
const goPanic = `%s WARN  inventory worker crashed, restarting
panic: runtime error: index out of range [%d] with length %d

goroutine %d [running]:
example.com/shop/inventory.(*Reserver).Reserve(0xc000112000, {0xc0001a2000, 0x3, 0x4})
	/src/shop/inventory/reserve.go:77 +0x1d4
example.com/shop/inventory.Handler.ServeHTTP({0xc000010018}, {0x7f1e2c0, 0xc0001c6000}, 0xc0001b4100)
	/src/shop/inventory/http.go:31 +0x9a
net/http.serverHandler.ServeHTTP({0xc0001a0000}, {0x7f1e2c0, 0xc0001c6000}, 0xc0001b4100)
	/usr/local/go/src/net/http/server.go:3210 +0x8e
`

const jsonECS = `{"@timestamp":"%s","log.level":"error","message":"refund rejected","error.type":"RefundLimitExceeded","error.message":"refund of %d cents exceeds the daily limit","service.name":"refunds"}`
