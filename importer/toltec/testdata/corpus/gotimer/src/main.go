// gotimer counts down from the seconds it is given; with none it says
// what it was built for.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Printf("gotimer for %s/%s\n", runtime.GOOS, runtime.GOARCH)
		return
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gotimer: seconds:", err)
		os.Exit(2)
	}
	for ; n > 0; n-- {
		fmt.Println(n)
		time.Sleep(time.Second)
	}
}
