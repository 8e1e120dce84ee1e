// The seed's Order Service, made small: GET /orders answers a JSON list of orders and the
// version that served it (VERSION, baked into each image: 1.1 and 1.2), GET /healthz answers ok.
// Listens on PORT (8080 unless set); stops gracefully on SIGTERM.
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

type order struct {
	ID       string `json:"id"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

type ordersResponse struct {
	Version string  `json:"version"`
	Pod     string  `json:"pod"`
	Orders  []order `json:"orders"`
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	version := os.Getenv("VERSION")
	if version == "" {
		version = "dev"
	}
	hostname, _ := os.Hostname()
	orders := []order{{ID: "1001", Item: "keyboard", Quantity: 1}, {ID: "1002", Item: "cable", Quantity: 3}}
	http.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body, _ := json.Marshal(ordersResponse{Version: version, Pod: hostname, Orders: orders})
		w.Write(append(body, '\n'))
	})
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	srv := &http.Server{Addr: ":" + port}
	log.Printf("order-service %s listening on :%s", version, port)
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
