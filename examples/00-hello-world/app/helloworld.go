// The seed's "Hello World" server: GET /api/hello answers "Hello world <VERSION>" (v1 unless
// VERSION is set) on PORT (8080 unless set). Unlike the seed's copy it also shuts down
// gracefully on SIGTERM (http.Server.Shutdown: stop accepting, finish what is in flight), as a
// well-behaved app does when the kubelet stops its container during a rolling update.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func handler(w http.ResponseWriter, r *http.Request) {
	log.Print("Hello world received a request.")
	version := os.Getenv("VERSION")
	if version == "" {
		version = "v1"
	}
	fmt.Fprintf(w, "Hello world %s\n", version)
}

func main() {
	log.Print("Hello world sample started.")
	http.HandleFunc("/api/hello", handler)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	srv := &http.Server{Addr: fmt.Sprintf(":%s", port)}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	select {
	case err := <-done:
		log.Fatal(err)
	case <-ctx.Done():
	}
	log.Print("Hello world sample shutting down.")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Fatal(err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	log.Print("Hello world sample stopped.")
}
