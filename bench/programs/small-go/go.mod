module bench/small-go

go 1.19
