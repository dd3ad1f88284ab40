module bench/https-server

go 1.19
