module example.org/gotimer

go 1.19
