// The seed's dinosaur-service: GET /dinosaurs answers a JSON list of five dinosaurs, on port
// 8084. Go standard library only, as the seed says; it also stops gracefully on SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type Dinosaur struct {
	Name           string
	Pronunciation  string
	LengthInMeters int
	Diet           string
}

func main() {
	dinosaurs := []Dinosaur{
		{Name: "Coelophysis", Pronunciation: "seel-OH-fie-sis", LengthInMeters: 2, Diet: "carnivorous"},
		{Name: "Triceratops", Pronunciation: "tri-SERRA-tops", LengthInMeters: 9, Diet: "herbivorous"},
		{Name: "Tyrannosaurus", Pronunciation: "tie-RAN-oh-sore-us", LengthInMeters: 12, Diet: "carnivorous"},
		{Name: "Diplodocus", Pronunciation: "DIP-low DOCK-us", LengthInMeters: 26, Diet: "herbivorous"},
		{Name: "Panoplosaurus", Pronunciation: "pan-op-loh-sore-us", LengthInMeters: 7, Diet: "herbivorous"},
	}

	http.HandleFunc("/dinosaurs", func(writer http.ResponseWriter, request *http.Request) {
		jsonResponse, err := json.Marshal(dinosaurs)
		if err != nil {
			log.Println("cannot serialize dinosaurs")
			http.Error(writer, "cannot serialize dinosaurs", http.StatusInternalServerError)
			return
		}
		writer.Header().Set("Content-Type", "application/json")
		if _, err = fmt.Fprintln(writer, string(jsonResponse)); err != nil {
			log.Println("Could not write dinosaurs to the response")
		}
	})

	log.Println("Dinosaur service starting on port 8084")
	srv := &http.Server{Addr: ":8084"}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	select {
	case err := <-done:
		log.Fatal("dinosaur-service could not start: ", err)
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
