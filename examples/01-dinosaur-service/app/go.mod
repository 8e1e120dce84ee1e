module k8ts.example/dinosaur-service

go 1.19
