// A stand-in for the seed's cjimti/go-ok container: a tiny web server on PORT (8080 unless set)
// that answers every path with a small JSON "ok" document naming the pod (its hostname) and the
// path asked for. GIN_MODE is accepted and ignored (the original is a Gin app; this one is Go's
// standard library only). Stops gracefully on SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type okResponse struct {
	Message  string `json:"message"`
	Hostname string `json:"hostname"`
	Path     string `json:"path"`
	Time     string `json:"time"`
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	hostname, _ := os.Hostname()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s from %s", r.Method, r.URL.Path, r.RemoteAddr)
		w.Header().Set("Content-Type", "application/json")
		body, _ := json.Marshal(okResponse{Message: "ok", Hostname: hostname, Path: r.URL.Path, Time: time.Now().UTC().Format(time.RFC3339)})
		w.Write(append(body, '\n'))
	})
	srv := &http.Server{Addr: ":" + port}
	log.Printf("go-ok listening on :%s", port)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	select {
	case err := <-done:
		log.Fatal(err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Fatal(err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
