module k8ts.example/go-ok

go 1.19
