module k8ts.example/order-service

go 1.19
