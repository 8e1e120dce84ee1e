module k8ts.example/helloworld

go 1.19
