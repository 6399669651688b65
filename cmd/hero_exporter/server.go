package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/coreos/go-systemd/v22/activation"
	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/net/netutil"
)

// serverOptions bound what a client can hold: a connection that sends no complete header
// within readHeader is closed, and no more than maxConns connections are open at once
// (beyond that, new ones wait in the kernel's backlog instead of using up descriptors).
type serverOptions struct {
	readHeader time.Duration
	read       time.Duration
	write      time.Duration
	idle       time.Duration
	maxConns   int
}

func addServerFlags(cmd *kingpin.CmdClause) *serverOptions {
	s := &serverOptions{}
	cmd.Flag("web.read-header-timeout", "Time a client has to send the request headers.").Default("10s").DurationVar(&s.readHeader)
	cmd.Flag("web.read-timeout", "Time a client has to send a whole request, body included (push endpoints).").Default("1m").DurationVar(&s.read)
	cmd.Flag("web.write-timeout", "Time to write a response.").Default("2m").DurationVar(&s.write)
	cmd.Flag("web.idle-timeout", "Time an idle keep-alive connection is kept open.").Default("2m").DurationVar(&s.idle)
	cmd.Flag("web.max-connections", "Connections served at once; more wait to be accepted.").Default("512").IntVar(&s.maxConns)
	return s
}

func (s *serverOptions) validate() error {
	for name, d := range map[string]time.Duration{"--web.read-header-timeout": s.readHeader, "--web.read-timeout": s.read,
		"--web.write-timeout": s.write, "--web.idle-timeout": s.idle} {
		if d <= 0 {
			return fmt.Errorf("%s must be positive, got %s", name, d)
		}
	}
	if s.maxConns < 1 {
		return fmt.Errorf("--web.max-connections must be at least 1, got %d", s.maxConns)
	}
	return nil
}

// newServer returns the HTTP server with its timeouts.
func (s *serverOptions) newServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.readHeader,
		ReadTimeout:       s.read,
		WriteTimeout:      s.write,
		IdleTimeout:       s.idle,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
}

// listenAndServe is web.ListenAndServe (listen addresses or systemd sockets, TLS and
// basic auth from --web.config.file) with every listener bounded to maxConns.
func (s *serverOptions) listenAndServe(srv *http.Server, flags *web.FlagConfig, logger *slog.Logger) error {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	if flags.WebSystemdSocket != nil && *flags.WebSystemdSocket {
		ls, err := activation.Listeners()
		if err != nil {
			return fmt.Errorf("systemd socket activation: %w", err)
		}
		if len(ls) == 0 {
			return errors.New("systemd socket activation: no socket passed")
		}
		logger.Info("listening on systemd activated sockets", "sockets", len(ls))
		listeners = ls
	} else {
		if flags.WebListenAddresses == nil || len(*flags.WebListenAddresses) == 0 {
			return web.ErrNoListeners
		}
		for _, addr := range *flags.WebListenAddresses {
			if strings.HasPrefix(addr, "vsock://") {
				return fmt.Errorf("listen address %s: vsock is not supported", addr)
			}
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			listeners = append(listeners, l)
		}
	}
	for i, l := range listeners {
		listeners[i] = netutil.LimitListener(l, s.maxConns)
	}
	return web.ServeMultiple(listeners, srv, flags, logger)
}
